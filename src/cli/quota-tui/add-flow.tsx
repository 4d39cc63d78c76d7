import { Box, Text, type Key } from "ink";
import { useEffect, useReducer, useRef } from "react";
import type { KeySource } from "./key-source.js";

/** What the dashboard's add flow needs from the command: it never sees where secrets are stored. */
export interface AddActions {
  /** Validate, identify and store an OpenRouter key; resolves to the account label, rejects with a message. */
  addKey(provider: string, secret: string): Promise<string>;
  /** Start GitHub's device flow; `done` resolves once the user approves and the account is stored. */
  startDeviceLogin(): Promise<{ userCode: string; verificationUri: string; done: Promise<string> }>;
}

type Step =
  | { kind: "choose" }
  | { kind: "key"; provider: string; value: string; error: string | null }
  | { kind: "saving"; provider: string; value: string }
  | { kind: "device"; userCode: string | null; uri: string | null; error: string | null };

type Action =
  | { type: "key"; input: string; key: Key }
  | { type: "failed"; provider: string; message: string }
  | { type: "device"; userCode: string | null; uri: string | null; error: string | null };

/**
 * Every keystroke goes through the reducer, which sees the state after all earlier keys: keys that arrive
 * before React has rendered the previous one (fast typing, a loaded machine) are never judged against a
 * stale step.
 */
function reduce(step: Step, a: Action): Step {
  if (a.type === "failed") return { kind: "key", provider: a.provider, value: "", error: a.message };
  if (a.type === "device") return { kind: "device", userCode: a.userCode, uri: a.uri, error: a.error };
  const { input, key } = a;
  if (step.kind === "choose") {
    if (input === "o") return { kind: "key", provider: "openrouter", value: "", error: null };
    if (input === "c") return { kind: "device", userCode: null, uri: null, error: null };
    return step;
  }
  if (step.kind !== "key") return step;
  if (key.return) return { kind: "saving", provider: step.provider, value: step.value };
  if (key.backspace || key.delete) return { ...step, value: step.value.slice(0, -1) };
  if (input && !key.ctrl && !key.meta) return { ...step, value: step.value + input };
  return step;
}

type Props = { actions: AddActions; onDone: (message?: string) => void };
type PropsRef = { readonly current: Props };

/** Add an account without leaving the dashboard. Keys are masked as they are typed and never shown. */
export function AddFlow({
  actions,
  onDone,
  keys,
}: Props & {
  /** The dashboard's key stream: keys typed before this component mounted are queued there, not lost. */
  keys: KeySource;
}) {
  const [step, dispatch] = useReducer(reduce, { kind: "choose" });
  // The effects below must run once per step, not again when the parent renders new callbacks.
  const props = useRef({ actions, onDone });
  props.current = { actions, onDone };

  useEffect(
    () =>
      keys.attach((input, key) => {
        if (key.escape) return props.current.onDone();
        dispatch({ type: "key", input, key });
      }),
    [keys],
  );
  // Side effects follow the state, never the keystroke.
  useSaveKey(step.kind === "saving" ? step : null, props, dispatch);
  useDeviceLogin(step.kind === "device", props, dispatch);
  return <StepView step={step} />;
}

/** Store the typed key once the step becomes `saving`; a rejected key returns to the prompt with the reason. */
function useSaveKey(
  saving: Extract<Step, { kind: "saving" }> | null,
  props: PropsRef,
  dispatch: (a: Action) => void,
): void {
  useEffect(() => {
    if (!saving) return;
    props.current.actions.addKey(saving.provider, saving.value).then(
      (label) => props.current.onDone(`added ${label}`),
      (err: unknown) =>
        dispatch({ type: "failed", provider: saving.provider, message: (err as Error).message }),
    );
  }, [saving]);
}

/**
 * GitHub's device flow, started once when the step becomes `device`. `live` turns false on unmount (esc), so a
 * code or approval that arrives after the flow closed neither updates it nor reports an account as added.
 */
function useDeviceLogin(started: boolean, props: PropsRef, dispatch: (a: Action) => void): void {
  useEffect(() => {
    if (!started) return;
    let live = true;
    const fail = (err: unknown) =>
      live && dispatch({ type: "device", userCode: null, uri: null, error: (err as Error).message });
    props.current.actions.startDeviceLogin().then(({ userCode, verificationUri, done }) => {
      if (!live) return;
      dispatch({ type: "device", userCode, uri: verificationUri, error: null });
      done.then((label) => live && props.current.onDone(`added ${label}`), fail);
    }, fail);
    return () => {
      live = false;
    };
  }, [started]);
}

function StepView({ step }: { step: Step }) {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      {step.kind === "choose" ? (
        <Text>Add an account: o OpenRouter · c GitHub Copilot · esc cancel</Text>
      ) : null}
      {step.kind === "key" ? (
        <>
          <Text>
            OpenRouter key (hidden): {"•".repeat(step.value.length)}
            <Text dimColor> enter to save · esc cancel</Text>
          </Text>
          {step.error ? <Text color="red">{step.error}</Text> : null}
        </>
      ) : null}
      {step.kind === "device" ? (
        step.error ? (
          <Text color="red">{step.error} (esc to close)</Text>
        ) : step.userCode ? (
          <Text>
            Open {step.uri} and enter the code <Text bold>{step.userCode}</Text> · waiting for approval… (esc
            cancel)
          </Text>
        ) : (
          <Text>Asking GitHub for a code…</Text>
        )
      ) : null}
      {step.kind === "saving" ? <Text>Checking the key…</Text> : null}
    </Box>
  );
}
