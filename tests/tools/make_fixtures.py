#!/usr/bin/python3
"""Make signed %KEYGEN / %ATTESTTOKEN test vectors for libmodemcred.

Written with Debian's python3-cbor2 and python3-cryptography, independently of
the library's C code, so that the library and its test vectors cannot share
one mistake. Run with Debian's interpreter from the repository root:

    /usr/bin/python3 tests/tools/make_fixtures.py

The identity key is kept in tests/fixtures/identity_priv.pem (a test key, not
a secret) so that re-running reproduces the same keys; signatures are
randomised by ECDSA and change on every run.
"""
import base64
import os
import sys

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
DEVICE_UUID = bytes.fromhex("50503041363343b080c3011a3496dac0")
OTHER_UUID = bytes.fromhex("0123456789abcdef0123456789abcdef")
FW_UUID = bytes.fromhex("a1b2c3d4e5f60718293a4b5c6d7e8f90")
NONCE = bytes.fromhex("fb08345a5befacd1ced7038a48debf70")
KID_DEVICE_IDENTITY = cbor2.dumps(-2)  # h'21'
PROTECTED = cbor2.dumps({1: -7})       # h'a10126': alg ES256


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def load_or_make_key(name):
    path = os.path.join(OUT, name)
    if os.path.exists(path):
        with open(path, "rb") as f:
            return serialization.load_pem_private_key(f.read(), None)
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    with open(path, "wb") as f:
        f.write(pem)
    return key


def write(name, data):
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(os.path.join(OUT, name), mode) as f:
        f.write(data)


def cose_sign1(identity, payload, detached_payload=None):
    """COSE_Sign1 (RFC 9052): tag 18 over [protected, {4: kid}, payload, r||s]."""
    signed = payload if detached_payload is None else detached_payload
    sig_structure = cbor2.dumps(["Signature1", PROTECTED, b"", signed])
    der = identity.sign(sig_structure, ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return cbor2.dumps(cbor2.CBORTag(18, [PROTECTED, {4: KID_DEVICE_IDENTITY}, payload,
                                          signature]))


def keygen_blob(identity, body, payload_id, sec_tag):
    digest = hashes.Hash(hashes.SHA256())
    digest.update(body)
    payload = cbor2.dumps(cbor2.CBORTag(55799, [payload_id, DEVICE_UUID, cbor2.dumps(sec_tag),
                                                digest.finalize(), NONCE]))
    return b64url(body) + "." + b64url(cose_sign1(identity, payload))


def make_csr():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Org"),
        x509.NameAttribute(NameOID.COMMON_NAME, "device-1"),
    ])
    usage = x509.KeyUsage(digital_signature=True, content_commitment=False,
                          key_encipherment=True, data_encipherment=False, key_agreement=True,
                          key_cert_sign=False, crl_sign=False, encipher_only=False,
                          decipher_only=False)
    csr = (x509.CertificateSigningRequestBuilder().subject_name(name)
           .add_extension(usage, critical=False).sign(key, hashes.SHA256()))
    return csr.public_bytes(serialization.Encoding.DER)


def spki(key):
    return key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def main():
    identity = load_or_make_key("identity_priv.pem")
    wrong = load_or_make_key("wrong_identity_priv.pem")
    for key, stem in ((identity, "identity_pub"), (wrong, "wrong_identity_pub")):
        pub = key.public_key()
        write(stem + ".pem", pub.public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo))
        write(stem + ".raw", pub.public_bytes(serialization.Encoding.X962,
                                              serialization.PublicFormat.UncompressedPoint))

    # CSR, tag 42, subject O=Test Org,CN=device-1, key usage 101010000.
    write("keygen_csr.txt", keygen_blob(identity, make_csr(), 9, 42) + "\n")
    # Public key (key type 2, content 1), tag 33.
    write("keygen_pubkey.txt",
          keygen_blob(identity, spki(ec.generate_private_key(ec.SECP256R1())), 8, 33) + "\n")
    # A sec_tag past the signed range, sent as a negative CBOR int: -4 is 4294967292.
    write("keygen_pubkey_negtag.txt",
          keygen_blob(identity, spki(ec.generate_private_key(ec.SECP256R1())), 8, -4) + "\n")

    # %ATTESTTOKEN: message [1, uuid, 3 (nRF9160 SICA), fw uuid, nonce], detached payload.
    write("attest.txt", attest_blob(identity, 1) + "\n")

    # Correctly signed answers that are not what they say: a public key body
    # whose payload id says CSR (9), and a token whose message type is 2
    # (public key message), not 1 (device identity).
    write("keygen_pubkey_as_csr.txt",
          keygen_blob(identity, spki(ec.generate_private_key(ec.SECP256R1())), 9, 42) + "\n")
    write("attest_type2.txt", attest_blob(identity, 2) + "\n")
    return 0


def attest_blob(identity, msg_type):
    message = cbor2.dumps(cbor2.CBORTag(55799, [msg_type, OTHER_UUID, 3, FW_UUID, NONCE]))
    return b64url(message) + "." + b64url(cose_sign1(identity, None, detached_payload=message))


if __name__ == "__main__":
    sys.exit(main())
