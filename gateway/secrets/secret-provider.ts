// What a secret provider is: something that answers a secret's value by name, or says it has none.

export interface SecretProvider {
  /** Shown in errors ("not found in secrets file, vault, env"); never a value. */
  readonly name: string;
  /** The secret's value, or undefined when this provider does not have it. Throws SecretError when it cannot answer. */
  get(name: string): Promise<string | undefined>;
}

/** Reads a variable from a fixed environment (a copy, so later changes to process.env do not leak in). */
export function envSecretProvider(
  env: Readonly<Record<string, string | undefined>>,
): SecretProvider {
  const snapshot = { ...env };
  return {
    name: 'environment',
    get: async (name) => {
      const value = snapshot[name];
      return value === undefined || value === '' ? undefined : value;
    },
  };
}
