import { Box, Text, useInput } from "ink";
import { useEffect, useState } from "react";

/** What the dashboard's add flow needs from the command: it never sees where secrets are stored. */
export interface AddActions {
  /** Validate, identify and store an OpenRouter key; rejects with a message for the user. */
  addKey(provider: string, secret: string): Promise<string>;
  /** Start GitHub's device flow; `token` resolves once the user approves, and the account is stored. */
  startDeviceLogin(): Promise<{ userCode: string; verificationUri: string; done: Promise<string> }>;
}

type Step =
  | { kind: "choose" }
  | { kind: "key"; provider: string; value: string; error: string | null }
  | { kind: "device"; userCode: string | null; uri: string | null; error: string | null }
  | { kind: "saving" };

/** Add an account without leaving the dashboard. Keys are masked as they are typed and never shown. */
export function AddFlow({ actions, onDone }: { actions: AddActions; onDone: (message?: string) => void }) {
  const [step, setStep] = useState<Step>({ kind: "choose" });

  useInput((input, key) => {
    if (key.escape) return onDone();
    if (step.kind === "choose") {
      if (input === "o") setStep({ kind: "key", provider: "openrouter", value: "", error: null });
      if (input === "c") setStep({ kind: "device", userCode: null, uri: null, error: null });
      return;
    }
    if (step.kind !== "key") return;
    if (key.return) {
      const secret = step.value;
      setStep({ kind: "saving" });
      actions.addKey(step.provider, secret).then(
        (label) => onDone(`added ${label}`),
        (err: unknown) => setStep({ kind: "key", provider: step.provider, value: "", error: (err as Error).message }),
      );
      return;
    }
    if (key.backspace || key.delete) return setStep({ ...step, value: step.value.slice(0, -1) });
    if (input && !key.ctrl && !key.meta) setStep({ ...step, value: step.value + input });
  });

  const deviceStarted = step.kind === "device";
  useEffect(() => {
    if (!deviceStarted) return;
    let live = true;
    actions.startDeviceLogin().then(
      ({ userCode, verificationUri, done }) => {
        if (!live) return;
        setStep({ kind: "device", userCode, uri: verificationUri, error: null });
        done.then(
          (label) => live && onDone(`added ${label}`),
          (err: unknown) => live && setStep({ kind: "device", userCode: null, uri: null, error: (err as Error).message }),
        );
      },
      (err: unknown) => live && setStep({ kind: "device", userCode: null, uri: null, error: (err as Error).message }),
    );
    return () => {
      live = false;
    };
  }, [deviceStarted]);

  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      {step.kind === "choose" ? <Text>Add an account: o OpenRouter · c GitHub Copilot · esc cancel</Text> : null}
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
            Open {step.uri} and enter the code <Text bold>{step.userCode}</Text> · waiting for approval… (esc cancel)
          </Text>
        ) : (
          <Text>Asking GitHub for a code…</Text>
        )
      ) : null}
      {step.kind === "saving" ? <Text>Checking the key…</Text> : null}
    </Box>
  );
}
