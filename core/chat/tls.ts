// TLS for the chat port: the certificate and key are read and checked at
// start-up, so a wrong file is one clear line, not a failure on the first
// connection.

import { readFileSync } from "node:fs";
import { UserError, errorText } from "../base/errors.ts";

export interface TlsFiles {
  cert: string;
  key: string;
}

/** node:crypto, loaded when a certificate is first checked: a server without TLS never loads it (about 7 MB at rest). */
export const nodeCrypto = (): typeof import("node:crypto") => require("node:crypto");

export function loadTls(certFile: string, keyFile: string): TlsFiles {
  const { X509Certificate, createPrivateKey } = nodeCrypto();
  const read = (flag: string, file: string) => {
    try {
      return readFileSync(file, "utf8");
    } catch (error) {
      throw new UserError(`cannot read ${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? errorText(error)}`);
    }
  };
  const cert = read("--tls-cert", certFile);
  const key = read("--tls-key", keyFile);
  let x509: import("node:crypto").X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new UserError(`--tls-cert ${certFile} is not a PEM certificate`);
  }
  let privateKey: import("node:crypto").KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new UserError(`--tls-key ${keyFile} is not a PEM private key (or it is encrypted)`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new UserError(`--tls-key ${keyFile} does not belong to the certificate in ${certFile}`);
  if (Date.parse(x509.validTo) < Date.now()) throw new UserError(`--tls-cert ${certFile} expired on ${x509.validTo}`);
  return { cert, key };
}
