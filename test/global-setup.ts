// Global test setup: extended by the storage work (PostgreSQL availability).
export default function setup(): void {}
