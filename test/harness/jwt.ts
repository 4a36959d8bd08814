import { createPrivateKey, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenClaims {
  issuer: string;
  audience: string;
  subject: string;
  access: AccessEntry[];
  expiresIn: number;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/**
 * Signs registry tokens the way distribution 2.8.2 verifies them: ES256 with a raw r||s signature
 * (DER is rejected) and the signing certificate in `x5c`, which must chain to `rootcertbundle`.
 */
export class JwtSigner {
  #key: KeyObject;
  #x5c: string;

  private constructor(key: KeyObject, x5c: string) {
    this.#key = key;
    this.#x5c = x5c;
  }

  static async fromFiles(keyFile: string, certFile: string): Promise<JwtSigner> {
    const key = createPrivateKey(await readFile(keyFile));
    const cert = new X509Certificate(await readFile(certFile));
    return new JwtSigner(key, cert.raw.toString('base64'));
  }

  sign(claims: TokenClaims, now = Math.floor(Date.now() / 1000)): string {
    const header = { typ: 'JWT', alg: 'ES256', x5c: [this.#x5c] };
    const payload = {
      iss: claims.issuer,
      sub: claims.subject,
      aud: claims.audience, // a string: 2.8.2 does not accept an array here
      exp: now + claims.expiresIn,
      nbf: now - 10, // small allowance for clock granularity between us and the registry
      iat: now,
      jti: randomBytes(12).toString('hex'),
      access: claims.access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const signature = sign('sha256', Buffer.from(input), { key: this.#key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64url(signature)}`;
  }
}
