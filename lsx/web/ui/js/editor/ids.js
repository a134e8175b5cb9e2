// Region ids like Label Studio's: 10 characters of [A-Za-z0-9_-].

const ALPHABET = "ModuleSymbhasOwnPr-0123456789ABCDEFGHNRVfgctiUvz_KqYTJkLxpZXIjQW";

export function regionId() {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  let out = "";
  for (const b of bytes) out += ALPHABET[b & 63];
  return out;
}
