// Verifies a Sigstore bundle with a public key, using sigstore-js (@sigstore/bundle and
// @sigstore/verify, the packages behind the npm `sigstore` package's verify()), without the
// public-good TUF root: the only trust material is the given key, found by the bundle's hint.
// Usage: node verify-vsa.js <bundle.json> <public-key.pem> <key id>
// Prints the verified in-toto statement (the DSSE payload) on success; exit 1 with the reason otherwise.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

const [bundlePath, keyPath, keyId] = process.argv.slice(2);
try {
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
  const key = crypto.createPublicKey(fs.readFileSync(keyPath, 'utf8'));
  const keyFinder = (hint) => {
    if (hint !== keyId) {
      throw new Error(`unknown key hint ${hint}`);
    }
    return { publicKey: key, validFor: () => true };
  };
  const emptyRoot = { tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] };
  const verifier = new Verifier(toTrustMaterial(emptyRoot, keyFinder), { tlogThreshold: 0, ctlogThreshold: 0, tsaThreshold: 0 });
  verifier.verify(toSignedEntity(bundle), {});
  process.stdout.write(Buffer.from(bundle.content.dsseEnvelope.payload).toString("utf8"));
} catch (e) {
  process.stderr.write(`NOT VERIFIED: ${e.message}\n`);
  process.exit(1);
}
