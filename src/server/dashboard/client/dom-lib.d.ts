// The dashboard client runs in a browser: its files are type-checked with the DOM library (the rest of the
// project targets Node only and gets no DOM types from its tsconfig).
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
