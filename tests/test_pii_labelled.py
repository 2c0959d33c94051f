"""A labelled set for PII scrubbing: real-looking code files with planted secrets of every kind
and the hard negatives a scrubber gets wrong (private IPs, DNS resolvers, version strings,
hashes next to their keyword, UUIDs, placeholders, identifiers like `get_password_hash`).

Engine-independent: bench/pii.py imports `labelled_documents` and `score` to print recall and
precision per kind; the tests below hold the engine to the issue's goal (recall >= 0.97,
precision >= 0.95 for every kind).

Planted spans are written `⟦kind|value⟧` in the templates; `_parse` strips the markers and keeps
(kind, start, end). Secret values are drawn from a seeded Random, so every variant differs.
"""

from __future__ import annotations

import base64
import random
import re
import string
from dataclasses import dataclass

KINDS = ("email", "ip_address", "key", "password")
_MARK = re.compile(r"⟦(email|ip_address|key|password)\|(.*?)⟧", re.S)


@dataclass
class LabelledDoc:
    name: str
    text: str
    spans: list[tuple[str, int, int]]  # (kind, start, end) of every planted secret


def _parse(name: str, marked: str) -> LabelledDoc:
    out, spans, pos = [], [], 0
    for m in _MARK.finditer(marked):
        out.append(marked[pos:m.start()])
        start = sum(map(len, out))
        out.append(m.group(2))
        spans.append((m.group(1), start, start + len(m.group(2))))
        pos = m.end()
    out.append(marked[pos:])
    return LabelledDoc(name, "".join(out), spans)


# ------------------------------------------------------------------------------ secret values

def _rand(r: random.Random, alphabet: str, n: int) -> str:
    """n characters of `alphabet`, with a letter and a digit where the alphabet has both."""
    mixed = any(c.isdigit() for c in alphabet) and any(c.isalpha() for c in alphabet)
    while True:
        s = "".join(r.choice(alphabet) for _ in range(n))
        if not mixed or (any(c.isdigit() for c in s) and any(c.isalpha() for c in s)):
            return s


ALNUM = string.ascii_letters + string.digits
LOWER_ALNUM = string.ascii_lowercase + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"
HEX = "0123456789abcdef"


def provider_keys(r: random.Random) -> dict[str, str]:
    jwt_head = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip("=")
    jwt_body = base64.urlsafe_b64encode(
        ('{"sub":"%d","name":"%s","iat":%d}' % (r.randrange(10**9), _rand(r, string.ascii_letters, 8), r.randrange(10**9))).encode()
    ).decode().rstrip("=")
    return {
        "aws_access_key": "AKIA" + _rand(r, UPPER_ALNUM, 16),
        "aws_secret_key": _rand(r, B64, 40),
        "github": "ghp_" + _rand(r, ALNUM, 36),
        "slack": f"xoxb-{r.randrange(10**11, 10**12)}-{r.randrange(10**12, 10**13)}-{_rand(r, ALNUM, 24)}",
        "slack_webhook": f"https://hooks.slack.com/services/T{_rand(r, UPPER_ALNUM, 8)}/B{_rand(r, UPPER_ALNUM, 8)}/{_rand(r, ALNUM, 24)}",
        "stripe": "sk_live_" + _rand(r, ALNUM, 24),
        "jwt": f"{jwt_head}.{jwt_body}.{_rand(r, URLSAFE, 43)}",
        "azure": _rand(r, B64, 86) + "==",
        "twilio": "AC" + _rand(r, LOWER_ALNUM, 32),
        "sendgrid": f"SG.{_rand(r, URLSAFE, 22)}.{_rand(r, URLSAFE, 43)}",
        "npm": "npm_" + _rand(r, ALNUM, 36),
        "mailchimp": _rand(r, HEX, 32) + f"-us{r.randrange(1, 20)}",
        "discord": r.choice("MNO") + _rand(r, URLSAFE, 23) + "." + _rand(r, URLSAFE, 6) + "." + _rand(r, URLSAFE, 27),
        "gitlab": "glpat-" + _rand(r, URLSAFE, 20),
        "openai": "sk-" + _rand(r, ALNUM, 20) + "T3BlbkFJ" + _rand(r, ALNUM, 20),
        "pypi": "pypi-AgEIcHlwaS5vcmc" + _rand(r, URLSAFE, 80),
        "telegram": f"{r.randrange(10**8, 10**9)}:{_rand(r, URLSAFE, 35)}",
        "square": "sq0csp-" + _rand(r, URLSAFE, 43),
        "generic": _rand(r, ALNUM + "!#%&*+-=?@^_~", 32),
        "hex_api": _rand(r, HEX, 32),
    }


def _password(r: random.Random) -> str:
    return _rand(r, ALNUM, r.randrange(6, 10)) + r.choice("!#%&*-_.@$") + _rand(r, ALNUM, r.randrange(2, 6))


def _url_password(r: random.Random) -> str:
    # No `@`, `/` or `:` (they would end the userinfo); other symbols often go unencoded.
    return _rand(r, ALNUM, r.randrange(6, 10)) + r.choice("!%&*-_.$~") + _rand(r, ALNUM, r.randrange(2, 6))


def _private_key(r: random.Random, kind: str = "RSA") -> str:
    body = "\n".join(_rand(r, B64, 64) for _ in range(r.randrange(8, 14)))
    return f"-----BEGIN {kind} PRIVATE KEY-----\n{body}\n{_rand(r, B64, 20)}==\n-----END {kind} PRIVATE KEY-----"


def _public_ipv4(r: random.Random) -> str:
    # Public, routable, not a resolver, not a documentation range, last octet non-zero.
    first = r.choice([23, 34, 35, 44, 52, 54, 63, 66, 74, 81, 91, 104, 142, 151, 157, 185, 199, 212])
    return f"{first}.{r.randrange(1, 255)}.{r.randrange(0, 255)}.{r.randrange(1, 255)}"


def _public_ipv6(r: random.Random) -> str:
    groups = [r.choice(["2a03", "2600", "2a00", "2406", "2001:41d0"])] + ["%x" % r.randrange(1, 0xFFFF) for _ in range(3)]
    return ":".join(groups) + "::" + "%x" % r.randrange(1, 0xFFFF)


# ---------------------------------------------------------------------------------- templates

def _python_settings(r, k):
    _password(r)  # drawn for the random stream the planted set was built with; unused here
    return f'''"""Settings for the billing service."""
import os

__version__ = "4.2.1.0"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "10.0.3.17", "192.168.1.20", "billing.internal"]
UPSTREAM = "⟦ip_address|{_public_ipv4(r)}⟧"
RESOLVERS = ["8.8.8.8", "1.1.1.1", "9.9.9.9", "2001:4860:4860::8888"]

SECRET_KEY = "⟦key|{k["generic"]}⟧"
AWS_ACCESS_KEY_ID = "⟦key|{k["aws_access_key"]}⟧"
AWS_SECRET_ACCESS_KEY = "⟦key|{k["aws_secret_key"]}⟧"
STRIPE_API_KEY = os.environ.get("STRIPE_API_KEY", "⟦key|{k["stripe"]}⟧")
DATABASE_URL = "postgres://billing:⟦password|{_url_password(r)}⟧@10.0.3.4:5432/billing"
EMAIL_HOST_PASSWORD = "⟦password|{_password(r)}⟧"
ADMINS = [("Ops", "⟦email|ops-{r.randrange(100)}@acme-payments.com⟧")]
DEFAULT_FROM_EMAIL = "noreply@example.com"
PASSWORD_MIN_LENGTH = 12
API_KEY_PLACEHOLDER = "<your-api-key>"
'''


def _python_client(r, k):
    pw = _password(r)
    return f'''from passlib.context import CryptContext
import requests

pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")


def get_password_hash(password: str) -> str:
    return pwd_context.hash(password)


def verify_password(plain_password, hashed_password):
    return pwd_context.verify(plain_password, hashed_password)


class GitHubClient:
    """Maintainer: ⟦email|{_rand(r, string.ascii_lowercase, 6)}.{_rand(r, string.ascii_lowercase, 5)}@mail.{r.choice(["corp", "eng", "dev"])}.example-co.io⟧"""

    token = "⟦key|{k["github"]}⟧"

    def __init__(self, password=None, password_field="password"):
        self.session = requests.Session()
        self.password = password or os.environ.get("GH_PASSWORD")
        self.login("deploy", password="⟦password|{pw}⟧")

    def call(self, x, w):
        y = x@w.T  # matrix product, not an address
        return y[1::2]
'''


def _js_config(r, k):
    return f'''// server.js
const express = require("express");
const app = express();

const config = {{
  slackToken: "⟦key|{k["slack"]}⟧",
  webhook: "⟦key|{k["slack_webhook"]}⟧",
  sendgridKey: "⟦key|{k["sendgrid"]}⟧",
  jwt: "⟦key|{k["jwt"]}⟧",
  password: "⟦password|{_password(r)}⟧",
  sessionId: "123e4567-e89b-12d3-a456-426614174000",
  apiKey: process.env.API_KEY || "${{API_KEY}}",
  color: "#ff00aa",
}};

app.listen(3000, "0.0.0.0", () => console.log("listening on ⟦ip_address|{_public_ipv4(r)}⟧:3000"));
// Contact: ⟦email|{_rand(r, string.ascii_lowercase, 5)}@{r.choice(["gmail.com", "outlook.com", "proton.me"])}⟧
'''


def _yaml_deploy(r, k):
    return f'''# deploy/values.yaml
image: registry.acme.io/api:1.14.2
database:
  host: 172.16.4.10
  user: api
  password: ⟦password|{_password(r)}⟧
twilio:
  account_sid: ⟦key|{k["twilio"]}⟧
mailchimp_api_key: "⟦key|{k["mailchimp"]}⟧"
discord_bot_token: "⟦key|{k["discord"]}⟧"
gitlab_token: "⟦key|{k["gitlab"]}⟧"
checksum:
  sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
  md5: "d41d8cd98f00b204e9800998ecf8427e"
edge:
  - ⟦ip_address|{_public_ipv4(r)}⟧
  - ⟦ip_address|{_public_ipv6(r)}⟧
  - fe80::1ff:fe23:4567:890a
  - 169.254.169.254
'''


def _env_file(r, k):
    return f'''# .env for local development
OPENAI_API_KEY=⟦key|{k["openai"]}⟧
AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName=acmestore;AccountKey=⟦key|{k["azure"]}⟧;EndpointSuffix=core.windows.net
TELEGRAM_BOT_TOKEN=⟦key|{k["telegram"]}⟧
SQUARE_SECRET=⟦key|{k["square"]}⟧
DB_PASSWORD=⟦password|{_password(r)}⟧
API_KEY=your-api-key-here
ADMIN_EMAIL=⟦email|{_rand(r, string.ascii_lowercase, 4)}.admin@{r.choice(["bücher.de", "例子.广告", "müller-gmbh.at"])}⟧
'''


def _npmrc_pypirc(r, k):
    return f'''# ~/.npmrc
//registry.npmjs.org/:_authToken=⟦key|{k["npm"]}⟧
# ~/.pypirc
[pypi]
username = __token__
password = ⟦key|{k["pypi"]}⟧
'''


def _go_service(r, k):
    _password(r)  # drawn for the random stream the planted set was built with; unused here
    return f'''package main

import (
\t"database/sql"
\t"fmt"
)

// Version of the service; not an address.
const Version = "10.2.3.4"
const hexAPIKey = "⟦key|{k["hex_api"]}⟧"

func connect() (*sql.DB, error) {{
\tdsn := fmt.Sprintf("mysql://root:⟦password|{_url_password(r)}⟧@tcp(⟦ip_address|{_public_ipv4(r)}⟧:3306)/app")
\treturn sql.Open("mysql", dsn)
}}

// digest of the schema, checked at start-up
var schemaDigest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
var traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
'''


def _java_keys(r, k):
    return f'''package com.acme.crypto;

/** Test fixtures. Author: ⟦email|{_rand(r, string.ascii_lowercase, 7)}@{r.choice(["acme.org", "uni-bonn.de", "cs.stanford.edu"])}⟧ */
public class Fixtures {{
    static final String PEM = """
⟦key|{_private_key(r)}⟧
""";
    static final String PASSWORD = "⟦password|{_password(r)}⟧";
    static final String UUID = "550e8400-e29b-41d4-a716-446655440000";
    static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    boolean isValid(String password) {{
        return password != null && password.length() >= 8;
    }}
}}
'''


def _shell_script(r, k):
    return f'''#!/usr/bin/env bash
set -euo pipefail
# Deploy to the production box.
HOST=⟦ip_address|{_public_ipv4(r)}⟧
ssh deploy@$HOST "sudo systemctl restart api"
git clone git@github.com:acme/api.git
curl -u "admin:⟦password|{_url_password(r)}⟧" https://jenkins.acme.io/job/api/build
export GITHUB_TOKEN=⟦key|{k["github"]}⟧
ping -c1 8.8.4.4 && echo "dns ok"
echo "Report bugs to ⟦email|{_rand(r, string.ascii_lowercase, 6)}@acme.io⟧"
'''


def _hard_negatives(r, k):
    """Nothing here is PII; every finding is a false positive."""
    return f'''import hashlib
import uuid

__version__ = "4.2.1.0"
VERSION = (1, 2, 3)
release = "2.0.1.5"
LOCALHOST = "127.0.0.1"
PRIVATE = ["10.1.2.3", "192.168.0.1", "172.31.255.254", "169.254.0.1", "::1", "fd00::1"]
DNS = ["8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "208.67.222.222", "2606:4700:4700::1111"]
NETMASK = "255.255.255.0"
EXAMPLE_IP = "192.0.2.10"
sha1 = hashlib.sha1(b"abc").hexdigest()  # "a9993e364706816aba3e25717850c26c9cd0d89d"
md5_digest = "900150983cd24fb0d6963f7d28e17f72"
expected_sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
request_id = str(uuid.uuid4())  # e.g. "f47ac10b-58cc-4372-a567-0e02b2c3d479"
API_KEY = "<your-api-key>"
token = "${{GITHUB_TOKEN}}"
password = os.environ["DB_PASSWORD"]
password = getpass.getpass("Password: ")
password = None
PASSWORD_FIELD = "password"
password_hash = get_password_hash(password)
secret = "YOUR_SECRET_HERE"
AWS_KEY_PLACEHOLDER = "xxxxxxxxxxxxxxxxxxxx"
alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
test_issue_12345_regression_case = True
TIME = "12:30:45"
MAC = "00:1A:2B:3C:4D:5E"
semver = "1.2.3"
long_version = "1.2.3.4.5"
url = "https://docs.python.org/3/library/ipaddress.html"
contact = "someone@example.com"
@property
def weight(self):
    return self.x@self.w.T
sliced = values[1::2]
oid_like = "1.3.6.1.4.1.311"
'''


TEMPLATES = [_python_settings, _python_client, _js_config, _yaml_deploy, _env_file, _npmrc_pypirc,
             _go_service, _java_keys, _shell_script, _hard_negatives]


def labelled_documents(variants: int = 8, seed: int = 0) -> list[LabelledDoc]:
    r = random.Random(seed)
    docs = []
    for v in range(variants):
        for template in TEMPLATES:
            docs.append(_parse(f"{template.__name__[1:]}#{v}", template(r, provider_keys(r))))
    return docs


def score(scan, docs: list[LabelledDoc]) -> dict[str, dict[str, float]]:
    """Per kind: tp, fp, fn, precision, recall. A finding counts when it overlaps a planted span
    of its kind; a planted span is found when some finding of its kind overlaps it."""
    out = {kind: {"tp": 0, "fp": 0, "fn": 0} for kind in KINDS}
    for doc in docs:
        found = [(f.kind, f.start, f.end) for f in scan(doc.text)]
        for kind, s, e in found:
            hit = any(k == kind and s < le and ls < e for k, ls, le in doc.spans)
            out[kind]["tp" if hit else "fp"] += 1
        for kind, s, e in doc.spans:
            if not any(k == kind and fs < e and s < fe for k, fs, fe in found):
                out[kind]["fn"] += 1
    for row in out.values():
        row["precision"] = row["tp"] / max(1, row["tp"] + row["fp"])
        row["recall"] = (row["tp"] and 1 - row["fn"] / max(1, row["tp"] + row["fn"])) or 0.0
    return out


def misses(scan, docs: list[LabelledDoc]) -> list[str]:
    """Readable false negatives and false positives, for a failing test or the bench."""
    lines = []
    for doc in docs:
        found = [(f.kind, f.start, f.end) for f in scan(doc.text)]
        for kind, s, e in doc.spans:
            if not any(k == kind and fs < e and s < fe for k, fs, fe in found):
                lines.append(f"missed {kind} in {doc.name}: {doc.text[s:e][:60]!r}")
        for kind, s, e in found:
            if not any(k == kind and s < le and ls < e for k, ls, le in doc.spans):
                lines.append(f"false {kind} in {doc.name}: {doc.text[max(0, s - 30):e + 5]!r}")
    return lines


# -------------------------------------------------------------------------------------- tests

def test_labelled_set_has_every_kind_and_negatives():
    docs = labelled_documents(variants=2)
    kinds = {k for d in docs for k, _, _ in d.spans}
    assert kinds == set(KINDS)
    assert any(not d.spans for d in docs)  # a document of hard negatives only


def test_recall_and_precision_meet_the_goal():
    from codewright.pii import scan

    docs = labelled_documents()
    result = score(scan, docs)
    failing = {k: v for k, v in result.items() if v["recall"] < 0.97 or v["precision"] < 0.95}
    assert not failing, (failing, misses(scan, docs)[:20])


def test_hard_negatives_are_left_alone():
    from codewright.pii import scrub

    for doc in labelled_documents(variants=1):
        if not doc.spans:
            text, findings = scrub(doc.text)
            assert findings == [] and text == doc.text, misses(lambda t: scrub(t)[1], [doc])


def test_scrubbed_labelled_set_is_clean_on_a_second_pass():
    from codewright.pii import scrub

    for doc in labelled_documents(variants=2):
        once, findings = scrub(doc.text)
        assert bool(findings) == bool(doc.spans), doc.name
        again, more = scrub(once)
        assert more == [] and again == once, (doc.name, [once[f.start:f.end] for f in more])
