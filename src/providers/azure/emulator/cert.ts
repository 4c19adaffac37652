/**
 * A throwaway self-signed TLS certificate for the ARM emulator, made at start
 * and kept only in memory. The Azure SDK refuses bearer tokens over plain
 * HTTP, so the emulator has to speak HTTPS; clients trust this certificate
 * per client with `tlsOptions: { ca }`.
 */
import { X509Certificate } from "node:crypto";
import { generate } from "selfsigned";

export interface EmulatorCert {
  /** PEM private key. */
  key: string;
  /** PEM certificate; self-signed, so it is also the CA a client must trust. */
  cert: string;
}

/**
 * How long the certificate is valid: a run's own, made at each start and trusted by nothing but its clients, so it
 * may outlive any run (an emulator left up through a workshop week included) at no cost.
 */
export const CERT_DAYS = 30;

/** A certificate for `127.0.0.1` and `localhost` (SANs `IP:127.0.0.1`, `IP:::1`, `DNS:localhost`), valid for CERT_DAYS days. */
export async function generateCert(): Promise<EmulatorCert> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + CERT_DAYS * 24 * 3600_000);
  const pems = await generate([{ name: "commonName", value: "lbdoctor ARM emulator" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
          { type: 2, value: "localhost" },
        ],
      },
    ],
  });
  const x509 = new X509Certificate(pems.cert);
  const san = x509.subjectAltName ?? "";
  if (!san.includes("IP Address:127.0.0.1") || !san.includes("DNS:localhost")) {
    throw new Error(`emulator certificate lacks the expected SANs (got "${san}")`);
  }
  return { key: pems.private, cert: pems.cert };
}
