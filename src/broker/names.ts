const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * A server-generated name like RabbitMQ's: the prefix and 22 url-safe base64 characters
 * of randomness ("amq.gen-JzTY20BRgKO-HjmUJj0wLg", "amq.ctag-...").
 */
export function generatedName(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(22));
  let name = prefix;
  for (const b of bytes) name += ALPHABET[b & 63];
  return name;
}
