#!/usr/bin/python3
"""Independent verifier for %KEYGEN and %ATTESTTOKEN answers.

Shares no code with libmodemcred or the simulator: Debian's python3-cbor2 and
python3-cryptography only (run with /usr/bin/python3).

  cose_check.py [--identity-key PUB.pem] (--keygen BLOB | --attest BLOB | --file F)
                [--tag N] [--challenge HEX]

--file reads a blob from a file (a bare blob or a whole `%KEYGEN: "..."` /
`%ATTESTTOKEN: "..."` line; CR/LF inside are ignored); the kind is taken from
the prefix or guessed from the first half (DER vs. CBOR).

Prints a JSON summary. Exit 0 when every performed check passes, 1 when any
check fails, 2 on malformed input (not base64url, not CBOR, wrong shape).
Without --identity-key the COSE signature is "not-checked", not a failure.
"""

import argparse
import base64
import binascii
import hashlib
import io
import json
import re
import sys

import cbor2
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

SELF_DESCRIBE = b"\xd9\xd9\xf7"  # tag 55799
PROTECTED_ES256 = {1: -7}
KIDS = {-2: "device-identity", -4: "nordic-base-production", -5: "nordic-base-rnd"}
PAYLOAD_IDS = {8: "pubkey", 9: "csr"}


class Malformed(Exception):
    pass


def b64url_decode(s):
    if not re.fullmatch(r"[A-Za-z0-9_-]*", s) or len(s) % 4 == 1:
        raise Malformed("not base64url: %r..." % s[:20])
    try:
        return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    except (binascii.Error, ValueError) as e:
        raise Malformed("bad base64url: %s" % e)


def cbor_decode_all(data):
    """Decode exactly one CBOR item filling all of data."""
    fp = io.BytesIO(data)
    try:
        obj = cbor2.CBORDecoder(fp).decode()
    except Exception as e:  # cbor2 raises several types
        raise Malformed("bad CBOR: %s" % e)
    if fp.tell() != len(data):
        raise Malformed("trailing bytes after CBOR item")
    return obj


def uuid_str(b):
    h = b.hex()
    return "%s-%s-%s-%s-%s" % (h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])


def split_blob(text):
    text = text.strip()
    kind = None
    m = re.match(r'^\s*%(KEYGEN|ATTESTTOKEN)\s*:\s*"(.*)"\s*$', text, re.S)
    if m:
        kind = "keygen" if m.group(1) == "KEYGEN" else "attest"
        text = m.group(2)
    elif len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1]
    text = re.sub(r"[\r\n]", "", text)
    parts = text.split(".")
    if len(parts) != 2:
        raise Malformed("expected <base64url>.<base64url>")
    return kind, b64url_decode(parts[0]), b64url_decode(parts[1])


def load_identity(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        # raw 65-byte uncompressed point, as hex or binary
        raw = data
        try:
            raw = bytes.fromhex(data.decode().strip())
        except (UnicodeDecodeError, ValueError):
            pass
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise Malformed("identity key is not a P-256 public key")
    return key


def parse_cose(cose_bytes, checks, out):
    cose = cbor_decode_all(cose_bytes)
    ok_tag = isinstance(cose, cbor2.CBORTag) and cose.tag == 18
    checks["cose_tag18"] = ok_tag
    if not ok_tag:
        raise Malformed("COSE: not tag 18 (COSE_Sign1)")
    arr = cose.value
    if not isinstance(arr, list) or len(arr) != 4:
        raise Malformed("COSE_Sign1: not a 4-element array")
    prot, unprot, payload, sig = arr
    if not isinstance(prot, bytes) or not isinstance(unprot, dict):
        raise Malformed("COSE_Sign1: protected must be bstr, unprotected a map")
    try:
        prot_map = cbor_decode_all(prot)
    except Malformed:
        prot_map = None
    checks["cose_protected_es256"] = prot_map == PROTECTED_ES256
    kid = unprot.get(4)
    kid_val = None
    if isinstance(kid, bytes):
        try:
            kid_val = cbor_decode_all(kid)
        except Malformed:
            kid_val = None
    out["kid"] = kid_val
    out["kid_name"] = KIDS.get(kid_val) if isinstance(kid_val, int) else None
    checks["cose_kid"] = isinstance(kid_val, int) and kid_val in KIDS
    checks["cose_signature_len"] = isinstance(sig, bytes) and len(sig) == 64
    if payload is not None and not isinstance(payload, bytes):
        raise Malformed("COSE_Sign1: payload must be bstr or nil")
    return prot, payload, sig


def check_signature(key, prot, payload, sig):
    if key is None:
        return "not-checked"
    if not isinstance(sig, bytes) or len(sig) != 64:
        return "invalid"
    tbs = cbor2.dumps(["Signature1", prot, b"", payload])
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        key.verify(der, tbs, ec.ECDSA(hashes.SHA256()))
        return "valid"
    except InvalidSignature:
        return "invalid"


def check_keygen(body, cose_bytes, key, args, out, checks):
    prot, payload, sig = parse_cose(cose_bytes, checks, out)
    if payload is None:
        raise Malformed("KEYGEN COSE_Sign1 has no payload")
    out["cose_signature"] = check_signature(key, prot, payload, sig)

    checks["payload_tag55799"] = payload[:3] == SELF_DESCRIBE
    arr = cbor_decode_all(payload[3:] if payload[:3] == SELF_DESCRIBE else payload)
    if not isinstance(arr, list) or len(arr) != 5:
        raise Malformed("KEYGEN payload: not a 5-element array")
    pid, dev, st, digest, nonce = arr
    out["payload_id"] = pid
    out["kind"] = PAYLOAD_IDS.get(pid)
    checks["payload_id"] = pid in PAYLOAD_IDS
    checks["device_uuid_len"] = isinstance(dev, bytes) and len(dev) == 16
    out["device_uuid"] = uuid_str(dev) if checks["device_uuid_len"] else None
    sec_tag = None
    if isinstance(st, bytes):
        try:
            v = cbor_decode_all(st)
            if isinstance(v, int) and -(2**31) <= v < 2**32:
                sec_tag = v & 0xFFFFFFFF
        except Malformed:
            pass
    out["sec_tag"] = sec_tag
    checks["sec_tag_decodes"] = sec_tag is not None
    if args.tag is not None:
        checks["sec_tag_match"] = sec_tag == args.tag
    checks["nonce_len"] = isinstance(nonce, bytes) and len(nonce) == 16
    checks["digest_len"] = isinstance(digest, bytes) and len(digest) == 32
    out["body_sha256"] = hashlib.sha256(body).hexdigest()
    out["digest"] = "match" if digest == hashlib.sha256(body).digest() else "mismatch"
    checks["digest_match"] = out["digest"] == "match"

    out["csr_signature"] = None
    out["subject"] = None
    pub = None
    if pid == 9:
        try:
            csr = x509.load_der_x509_csr(body)
            out["subject"] = csr.subject.rfc4514_string()
            out["csr_signature"] = "valid" if csr.is_signature_valid else "invalid"
            pub = csr.public_key()
            try:
                ku = csr.extensions.get_extension_for_class(x509.KeyUsage).value
                names = ["digital_signature", "content_commitment", "key_encipherment",
                         "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign"]
                bits = "".join("1" if getattr(ku, n) else "0" for n in names)
                if ku.key_agreement:
                    bits += ("1" if ku.encipher_only else "0") + ("1" if ku.decipher_only else "0")
                else:
                    bits += "00"
                out["key_usage"] = bits
            except x509.ExtensionNotFound:
                out["key_usage"] = None
        except ValueError as e:
            out["csr_signature"] = "unparsable: %s" % e
        checks["csr_signature"] = out["csr_signature"] == "valid"
    elif pid == 8:
        try:
            pub = serialization.load_der_public_key(body)
        except ValueError:
            pub = None
        checks["pubkey_parses"] = pub is not None
    if pub is not None:
        checks["body_key_p256"] = isinstance(pub, ec.EllipticCurvePublicKey) and \
            pub.curve.name == "secp256r1"
        out["public_key_pem"] = pub.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    if args.expect_kind is not None:
        checks["kind_match"] = out["kind"] == args.expect_kind


def check_attest(msg, cose_bytes, key, args, out, checks):
    prot, payload, sig = parse_cose(cose_bytes, checks, out)
    checks["cose_payload_detached"] = payload is None
    out["cose_signature"] = check_signature(key, prot, msg, sig)
    out["kind"] = "attestation"

    checks["message_tag55799"] = msg[:3] == SELF_DESCRIBE
    arr = cbor_decode_all(msg[3:] if msg[:3] == SELF_DESCRIBE else msg)
    if not isinstance(arr, list) or len(arr) < 4:
        raise Malformed("attestation message: not an array of at least 4")
    mtype, dev, dtype, fw = arr[:4]
    out["msg_type"] = mtype
    checks["msg_type"] = mtype == 1
    checks["device_uuid_len"] = isinstance(dev, bytes) and len(dev) == 16
    out["device_uuid"] = uuid_str(dev) if checks["device_uuid_len"] else None
    out["device_type"] = dtype
    checks["device_type_int"] = isinstance(dtype, int)
    checks["fw_uuid_len"] = isinstance(fw, bytes) and len(fw) == 16
    out["fw_uuid"] = uuid_str(fw) if checks["fw_uuid_len"] else None
    chal = arr[4] if len(arr) > 4 else None
    checks["array_len"] = len(arr) in (4, 5)
    out["challenge"] = chal.hex() if isinstance(chal, bytes) else None
    if chal is not None:
        checks["challenge_len"] = isinstance(chal, bytes) and len(chal) == 16
    if args.challenge is not None:
        checks["challenge_match"] = out["challenge"] == args.challenge.lower()


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--identity-key", help="identity public key (PEM, or 65-byte point)")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--keygen", metavar="BLOB")
    g.add_argument("--attest", metavar="BLOB")
    g.add_argument("--file", metavar="F")
    ap.add_argument("--tag", type=int, help="expected sec_tag")
    ap.add_argument("--challenge", help="expected challenge (32 hex digits)")
    ap.add_argument("--expect-kind", choices=["csr", "pubkey"],
                    help="expected KEYGEN payload kind")
    args = ap.parse_args(argv)

    out = {"kind": None}
    checks = {}
    try:
        key = load_identity(args.identity_key) if args.identity_key else None
        if args.keygen is not None:
            kind, first, cose = split_blob(args.keygen)
            kind = "keygen"
        elif args.attest is not None:
            kind, first, cose = split_blob(args.attest)
            kind = "attest"
        else:
            with open(args.file, "r", encoding="ascii") as f:
                kind, first, cose = split_blob(f.read())
            if kind is None:
                kind = "attest" if first[:3] == SELF_DESCRIBE else "keygen"
        if kind == "keygen":
            check_keygen(first, cose, key, args, out, checks)
        else:
            check_attest(first, cose, key, args, out, checks)
    except (Malformed, OSError, UnicodeDecodeError, ValueError) as e:
        out["error"] = str(e)
        out["checks"] = checks
        out["ok"] = False
        print(json.dumps(out, indent=2))
        return 2

    failed = [k for k, v in checks.items() if not v]
    if out.get("cose_signature") == "invalid":
        failed.append("cose_signature")
    out["checks"] = checks
    out["failed"] = failed
    out["ok"] = not failed
    print(json.dumps(out, indent=2))
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
