"""A held-out labelled set for PII scrubbing, written blind (without reading the scrubber or the
templates of tests/test_pii_labelled.py), so that its recall/precision is an honest estimate.

`heldout_documents()` returns `LabelledDoc`s in the same `⟦kind|value⟧` format that
`tests.test_pii_labelled._parse` understands, so `score` and `misses` work on it unchanged.

Templates below use a small placeholder syntax that is rendered before `_parse`:

    «k:gen»      a fresh value from generator `gen`, labelled as kind k
    «k:gen#t»    same, but memoised per document under tag t (the same value reused)
    «k=literal»  a literal value, labelled as kind k
    «n:gen»      a generated value that is NOT labelled (hashes, UUIDs, public keys, ...)

with k in e=email, i=ip_address, k=key, p=password. Values come from a seeded random.Random,
so the set is deterministic.

Labelling policy (decided up front, before any scoring)
------------------------------------------------------
Spans: for a password only the value (no quotes, no key name); for a URL credential only the
password part of `scheme://user:pass@host`; for a key/token the token (a Slack webhook is
labelled as the whole webhook URL; a private key block from `-----BEGIN` to the dashes that end
the `-----END ... KEY-----` line); for an email/IP the address itself (an address with a port or
a `/32` suffix: only the address).

Labelled (positives):
* every real-looking mailbox on a real-looking domain, including subdomains, plus-addressing,
  internationalised domains (both the Unicode form and the punycode form) and Unicode local
  parts, inside prose in any script, in comments, in JSON, in `Name <addr>` and in `mailto:`
  (the mailto href and the link text are two spans); service-account addresses
  (`x@project.iam.gserviceaccount.com`) are addresses too.
* every public, routable IPv4/IPv6 address that is not in one of the excluded classes below,
  also with a port, in brackets, as a `/32` host route, or as an IPv4-mapped IPv6 address; a
  public IPv6 /64 prefix written `2a02:...::/64` is labelled (it identifies a site).
* provider tokens wherever they appear (code, comments, test fixtures, logs, CI files): a test
  fixture holding a realistic-looking token is still labelled, since a scrubber cannot know it
  is fake. Stripe `sk_test_`/`rk_live_`/`whsec_` are secrets and labelled; Twilio `AC` account
  SIDs and `SK` API-key SIDs are labelled (the brief lists them). High-entropy values assigned
  to secret-like names (secret, token, api_key, auth_key, routing_key, jwt secret, ...) are keys.
* passwords: literal values in assignments, keyword arguments, config keys (`password`,
  `passwd`, `pwd`, `pass`, `*_PASSWORD`, `bind_password`, `MQTT_PASS`), URL userinfo, JDBC/ADO
  connection strings, `.pgpass`/`.netrc` lines, `-p'...'`/`sshpass -p`/`curl -u user:pass` on a
  command line, SQL `PASSWORD '...'`/`IDENTIFIED BY '...'`, positional password arguments of
  well-known APIs (`NetworkCredential`, `PasswordAuthentication`, `new PDO`, `basic_auth`,
  requests' `auth=(user, pass)`, `create_user(..., password=)`), a password inside prose in a
  multi-line string, and a base64-encoded password under `data:` in a Kubernetes Secret
  (arguable, but it is a password in a trivially reversible encoding).
* Double-typed values: a provider token used as a URL password or under `password =` (a GitLab
  token in a git remote URL, a PyPI token in .pypirc) is labelled `key`, because the token's
  shape is what identifies it. These two are flagged as arguable in the report.

Not labelled (negatives; a finding on them is a false positive):
* emails on reserved/placeholder domains (RFC 2606/6761: example.com/.org/.net, *.test,
  *.invalid, localhost), `user@host` without a TLD, `git@github.com:org/repo.git` SSH remotes,
  `deploy@<ip>` ssh targets (the IP part is labelled if public), `'etl'@'%'` MySQL grants,
  npm `pkg@version`, `actions/checkout@<sha>`, `hero@2x.png`, decorators, `@media`,
  `%40`-encoded addresses inside URLs (not labelled either way).
* private (10/8, 172.16/12, 192.168/16, fc00::/7 incl. fd..), loopback, link-local (169.254/16,
  fe80::/10), unspecified (0.0.0.0, ::), broadcast, netmasks, CIDR blocks of private ranges,
  documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32), the well-known
  public resolvers (Google, Cloudflare, Quad9 incl. 149.112.112.112 and 2620:fe::fe, OpenDNS
  208.67.222.222/208.67.220.220), dotted version strings, OIDs, section numbers, MAC addresses,
  C++/Rust `::` paths, times of day.
* hashes next to sha/md5/digest/checksum/integrity/etag/rev/commit, bcrypt/apr1 password
  hashes (even under `password_hash`), UUIDs (also under `*_id` names), Ansible-vault
  ciphertext, base64 images/fonts, public keys, certificates, ssh public keys and fingerprints,
  Stripe publishable keys `pk_live_` (public by design), GCP `private_key_id` (an identifier),
  AWS's documented example credentials `AKIAIOSFODNN7EXAMPLE`/`wJalr...EXAMPLEKEY`,
  placeholders (`<your-api-key>`, `YOUR_API_KEY`, `xxxx`, `XXXX` after a real prefix,
  `changeme`, `replace-me`, `********`, `[REDACTED]`), template/env interpolation
  (`${X}`, `{{ x }}`, `<%= ENV[...] %>`, `${{ secrets.X }}`, `var.x`), reads (`os.environ`,
  `getpass()`, `request.headers.get`), `password=None`/`""`, and identifiers such as
  `get_password_hash`, `password_field`, `MIN_PASSWORD_LENGTH`, `PWD=/home/x`, `$(pwd)`,
  `Failed password for root`, `secretKeyRef: {key: password}`.
"""

from __future__ import annotations

import base64
import json
import random
import re
import string

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 0x5EED_2024

_UPPER = string.ascii_uppercase
_LOWER = string.ascii_lowercase
_DIGITS = string.digits
_ALNUM = string.ascii_letters + string.digits
_UPPER_ALNUM = _UPPER + _DIGITS
_URLSAFE = _ALNUM + "-_"
_B64 = _ALNUM + "+/"
_HEX = "0123456789abcdef"
_B32 = _UPPER + "234567"


def _s(r: random.Random, alphabet: str, n: int) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


# ----------------------------------------------------------------------------- value generators

_WORDS = ["Kaffee", "otter", "Lantern", "granite", "Fjord", "maple", "Harbor", "quartz", "Sunset",
          "velvet", "Condor", "pepper", "Tundra", "orbit", "Saffron", "willow", "Bastion", "ember"]


def _pw(r: random.Random) -> str:
    """A realistic password, safe in quotes of any language, YAML, INI, shell single quotes."""
    style = r.randrange(3)
    if style == 0:  # random
        body = _s(r, _ALNUM, r.randint(11, 18))
        syms = _s(r, "!#*-_.+=~^", r.randint(1, 3))
        pos = r.randint(2, len(body))
        return body[:pos] + syms + body[pos:]
    if style == 1:  # human
        return f"{r.choice(_WORDS)}{r.choice(['', '-', '_', '.'])}{r.choice(_WORDS)}{r.randint(10, 2024)}{r.choice('!#*?')}"
    return "-".join(_s(r, _LOWER, r.randint(4, 7)) for _ in range(3)) + str(r.randint(2, 99))


def _pw_url(r: random.Random) -> str:
    """A password that can sit in URL userinfo without escaping."""
    body = _s(r, _ALNUM, r.randint(12, 22))
    pos = r.randint(3, len(body) - 2)
    return body[:pos] + r.choice("-_.~") + body[pos:]


def _pw_pgpass(r: random.Random) -> str:
    return _s(r, _ALNUM, 10) + r.choice("!#*-_.") + _s(r, _ALNUM, 6)


def _gmail_app(r: random.Random) -> str:
    return " ".join(_s(r, _LOWER, 4) for _ in range(4))


def _b64pw(r: random.Random) -> str:
    return base64.b64encode(_pw(r).encode()).decode()


def _aws_ak(r):
    return "AKIA" + _s(r, _B32, 16)


def _aws_sk(r):
    return _s(r, _B64, 40)


def _aws_session(r):
    return "FwoGZXIvYXdzE" + _s(r, _B64, 290) + "=="


def _ghp(r):
    return "ghp_" + _s(r, _ALNUM, 36)


def _ghs(r):
    return "ghs_" + _s(r, _ALNUM, 36)


def _gho(r):
    return "gho_" + _s(r, _ALNUM, 36)


def _gh_pat(r):
    return "github_pat_11" + _s(r, _UPPER_ALNUM, 20) + "_" + _s(r, _ALNUM, 59)


def _glpat(r):
    return "glpat-" + _s(r, _ALNUM + "-_", 20)


def _slack_bot(r):
    return f"xoxb-{_s(r, _DIGITS, 12)}-{_s(r, _DIGITS, 13)}-{_s(r, _ALNUM, 24)}"


def _slack_user(r):
    return f"xoxp-{_s(r, _DIGITS, 12)}-{_s(r, _DIGITS, 12)}-{_s(r, _DIGITS, 13)}-{_s(r, _HEX, 32)}"


def _slack_hook(r):
    return (f"https://hooks.slack.com/services/T{_s(r, _UPPER_ALNUM, 8)}/B{_s(r, _UPPER_ALNUM, 10)}/"
            f"{_s(r, _ALNUM, 24)}")


def _stripe(prefix):
    def gen(r):
        return prefix + ("51" + _s(r, _ALNUM, 97) if r.random() < 0.5 else _s(r, _ALNUM, 24))
    return gen


def _whsec(r):
    return "whsec_" + _s(r, _ALNUM, 32)


def _sendgrid(r):
    return f"SG.{_s(r, _URLSAFE, 22)}.{_s(r, _URLSAFE, 43)}"


def _npm(r):
    return "npm_" + _s(r, _ALNUM, 36)


def _mailchimp(r):
    return _s(r, _HEX, 32) + f"-us{r.randint(1, 21)}"


def _discord(r):
    uid = str(r.randint(10**17, 10**18 - 1)).encode()
    return f"{base64.b64encode(uid).decode().rstrip('=')}.{_s(r, _URLSAFE, 6)}.{_s(r, _URLSAFE, 38)}"


def _twilio_ac(r):
    return "AC" + _s(r, _HEX, 32)


def _twilio_sk(r):
    return "SK" + _s(r, _HEX, 32)


def _hexn(n):
    return lambda r: _s(r, _HEX, n)


def _azure(r):
    return base64.b64encode(bytes(r.randrange(256) for _ in range(64))).decode()


def _jwt(r):
    header = _b64url(json.dumps({"alg": r.choice(["HS256", "RS256"]), "typ": "JWT"},
                                separators=(",", ":")).encode())
    claims = {"sub": str(r.randint(10**5, 10**7)), "email_verified": True,
              "iat": 1700000000 + r.randrange(10**7), "scope": r.choice(["orders:read", "admin", "api"])}
    payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    return f"{header}.{payload}.{_s(r, _URLSAFE, 43)}"


def _django(r):
    return _s(r, "abcdefghijklmnopqrstuvwxyz0123456789!#$%^&*(-_=+)", 50)


def _openai(r):
    return "sk-" + _s(r, _ALNUM, 20) + "T3BlbkFJ" + _s(r, _ALNUM, 20)


def _google_api(r):
    return "AIzaSy" + _s(r, _URLSAFE, 33)


def _pypi(r):
    return "pypi-AgEIcHlwaS5vcmc" + _s(r, _URLSAFE, 160)


def _wpsalt(r):
    alphabet = "".join(c for c in string.printable[:94] if c not in "'\\")
    return _s(r, alphabet, 64)


def _b64_of(n):
    return lambda r: base64.b64encode(bytes(r.randrange(256) for _ in range(n))).decode()


_PK_HEAD = {
    "RSA PRIVATE KEY": "MIIEowIBAAKCAQEA",
    "EC PRIVATE KEY": "MHcCAQEEI",
    "PRIVATE KEY": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ",
    "OPENSSH PRIVATE KEY": "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
    "PUBLIC KEY": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
    "CERTIFICATE": "MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ",
}


def _pem(label, lines, sep="\n"):
    def gen(r):
        body = _PK_HEAD[label] + _s(r, _B64, 64 * lines - len(_PK_HEAD[label]) - 20)
        rows = [body[i:i + 64] for i in range(0, len(body), 64)]
        return sep.join([f"-----BEGIN {label}-----", *rows, f"-----END {label}-----"])
    return gen


def _ipv4(r):
    first = r.choice([23, 31, 37, 45, 46, 51, 52, 54, 62, 77, 78, 81, 82, 85, 88, 91, 93, 95, 104,
                      109, 130, 134, 139, 141, 145, 151, 159, 176, 178, 185, 188, 193, 194, 195,
                      212, 213, 217])
    return f"{first}.{r.randint(1, 254)}.{r.randint(1, 254)}.{r.randint(1, 254)}"


def _ipv6(r):
    prefix = r.choice(["2a01:4f8", "2a02:c207", "2600:1f18", "2604:a880", "2a03:b0c0", "2001:41d0",
                       "2a00:1450", "2a05:d014", "2406:da18"])
    g = lambda: format(r.randrange(1, 0x10000), "x")  # noqa: E731
    form = r.randrange(3)
    if form == 0:
        return ":".join([prefix] + [g() for _ in range(6)])
    if form == 1:
        return f"{prefix}:{g()}:{g()}::{g()}"
    return f"{prefix}::{g()}"


def _uuid(r):
    h = _s(r, _HEX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{r.choice('89ab')}{h[17:20]}-{h[20:]}"


def _bcrypt(r):
    return "$2b$12$" + _s(r, "./" + _ALNUM, 53)


def _png_b64(r):
    return "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4" + _s(r, _B64, 360) + "=="


def _vault_blob(r):
    return "\n          ".join(_s(r, "0123456789", 64) for _ in range(4))


def _ssh_pub(r):
    return "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + _s(r, _B64, 43)


GEN = {
    "pw": _pw, "pw_url": _pw_url, "pw_pgpass": _pw_pgpass, "gmail_app": _gmail_app,
    "b64pw": _b64pw,
    "aws_ak": _aws_ak, "aws_sk": _aws_sk, "aws_session": _aws_session,
    "ghp": _ghp, "ghs": _ghs, "gho": _gho, "gh_pat": _gh_pat, "glpat": _glpat,
    "slack_bot": _slack_bot, "slack_user": _slack_user, "slack_hook": _slack_hook,
    "stripe_live": _stripe("sk_live_"), "stripe_test": _stripe("sk_test_"),
    "rk_live": _stripe("rk_live_"), "stripe_pk": _stripe("pk_live_"), "whsec": _whsec,
    "sendgrid": _sendgrid, "npm": _npm, "mailchimp": _mailchimp, "discord": _discord,
    "twilio_ac": _twilio_ac, "twilio_sk": _twilio_sk,
    "hex32": _hexn(32), "hex40": _hexn(40), "hex64": _hexn(64), "hex128": _hexn(128),
    "sha256": _hexn(64), "sha40": _hexn(40),
    "azure": _azure, "jwt": _jwt, "django": _django, "openai": _openai,
    "google_api": _google_api, "pypi": _pypi, "wpsalt": _wpsalt, "b64_48": _b64_of(48),
    "b64_64": _b64_of(64), "b64_32": _b64_of(32),
    "pk_rsa": _pem("RSA PRIVATE KEY", 12), "pk_ec": _pem("EC PRIVATE KEY", 3),
    "pk_pkcs8": _pem("PRIVATE KEY", 14), "pk_openssh": _pem("OPENSSH PRIVATE KEY", 6),
    "pk_json": _pem("PRIVATE KEY", 14, sep="\\n"), "pk_ec_esc": _pem("EC PRIVATE KEY", 3, sep="\\n"),
    "cert_esc": _pem("CERTIFICATE", 8, sep="\\n"),
    "pub_pem": _pem("PUBLIC KEY", 6), "cert_pem": _pem("CERTIFICATE", 8),
    "ipv4": _ipv4, "ipv6": _ipv6, "uuid": _uuid, "bcrypt": _bcrypt, "png_b64": _png_b64,
    "vaultblob": _vault_blob, "ssh_pub": _ssh_pub,
}

_PH = re.compile(r"«([ekipn])([:=])([^»]*)»")
_KIND = {"e": "email", "i": "ip_address", "k": "key", "p": "password"}


def _render(name: str, template: str, r: random.Random) -> LabelledDoc:
    memo: dict[str, str] = {}

    def sub(m: re.Match) -> str:
        code, op, arg = m.groups()
        if op == "=":
            value = arg
        else:
            gen, _, tag = arg.partition("#")
            if tag and arg in memo:
                value = memo[arg]
            else:
                value = GEN[gen](r)
                if tag:
                    memo[arg] = value
        return value if code == "n" else f"⟦{_KIND[code]}|{value}⟧"

    return _parse(name, _PH.sub(sub, template))


_PUNY = "bücherstube-köln".encode("idna").decode()  # xn--bcherstube-kln-...

# ------------------------------------------------------------------------------------ documents

DOCS: list[tuple[str, str]] = []


def doc(name: str, template: str) -> None:
    DOCS.append((name, template))


doc("ledger/settings/production.py", r'''"""Production settings for the ledger service."""
import os

from .base import *  # noqa: F401,F403

DEBUG = False
SECRET_KEY = "«k:django»"
ALLOWED_HOSTS = ["ledger.fjordline.no", "«i:ipv4»", "10.20.4.11"]
INTERNAL_IPS = ["127.0.0.1", "10.20.4.11"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "ledger",
        "USER": "ledger_app",
        "PASSWORD": "«p:pw»",
        "HOST": "10.20.4.30",
        "PORT": "5432",
    },
    "replica": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "ledger",
        "USER": "ledger_ro",
        "PASSWORD": os.environ.get("REPLICA_DB_PASSWORD", ""),
        "HOST": "«i:ipv4»",
    },
}

AWS_STORAGE_BUCKET_NAME = "fjordline-ledger-static"
AWS_ACCESS_KEY_ID = "«k:aws_ak»"
AWS_SECRET_ACCESS_KEY = "«k:aws_sk»"
AWS_S3_REGION_NAME = "eu-north-1"

EMAIL_HOST = "smtp.fjordline.no"
EMAIL_HOST_USER = "«e=ledger-alerts@fjordline.no»"
EMAIL_HOST_PASSWORD = "«p:pw»"
SERVER_EMAIL = "«e=ledger-alerts@fjordline.no»"
ADMINS = [("Ingrid Solberg", "«e=ingrid.solberg@fjordline.no»"), ("On-call", "«e=oncall+ledger@fjordline.no»")]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 14}},
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
SESSION_COOKIE_AGE = 1209600
''')

doc("services/billing/db.py", r'''import os
from getpass import getpass

import psycopg2
import stripe

stripe.api_key = "«k:stripe_live»"


def connect(readonly: bool = False):
    if readonly:
        return psycopg2.connect(host="10.8.0.21", dbname="billing", user="report", password="«p:pw»")
    return psycopg2.connect(host=os.environ["PGHOST"], user="billing", password=os.environ["PGPASSWORD"])


def admin_connect():
    password = getpass("billing admin password: ")
    return psycopg2.connect(host="«i:ipv4»", user="billing_admin", password=password, connect_timeout=5)


def check_password(user, password=None):
    if password is None:
        return False
    return user.verify(password)
''')

doc("scripts/smoke_test.py", r'''#!/usr/bin/env python3
"""Smoke test against the staging cluster; run from the bastion."""
import requests

BASE = "https://staging.kestrelpay.io"
SESSION = requests.Session()
SESSION.auth = ("svc-smoke", "«p:pw»")
SESSION.headers.update({
    "Authorization": "Bearer «k:jwt»",
    "X-Request-ID": "«n:uuid»",
})
PROXIES = {"https": "http://squid:«p:pw_url»@«i:ipv4»:3128"}


def main() -> None:
    assert requests.get("http://127.0.0.1:8000/healthz", timeout=2).ok
    r = SESSION.get(f"{BASE}/v1/ping", proxies=PROXIES, timeout=10)
    r.raise_for_status()
    print("ok", r.elapsed.total_seconds())


if __name__ == "__main__":
    main()
''')

doc("src/config/index.ts", r'''import type { AppConfig } from "./types";

export const config: AppConfig = {
  port: Number(process.env.PORT ?? 3000),
  stripeSecretKey: process.env.STRIPE_SECRET_KEY ?? "«k:stripe_test»",
  stripePublishableKey: "«n:stripe_pk»",
  sendgridApiKey: "«k:sendgrid»",
  supportEmail: "«e=support@kestrelpay.io»",
  mongoUri: "mongodb+srv://kestrel_api:«p:pw_url»@cluster0.x7k2p.mongodb.net/prod?retryWrites=true&w=majority",
  redisUrl: "redis://:«p:pw_url»@«i:ipv4»:6379/0",
  jwtSecret: "«k:hex64»",
  sessionCookie: { name: "kp_sid", secure: true, maxAge: 86_400_000 },
  theme: { primary: "#1e293b", accent: "#f59e0b", danger: "#dc2626" },
  apiKeyPlaceholder: "<your-api-key>",
  buildVersion: "4.12.0.3",
};
''')

doc("src/lib/slack.js", r'''const { WebClient } = require('@slack/web-api'); // "@slack/web-api@6.9.1"

// TODO(INC-4411): move to vault. Old bot token, rotated?? -> «k:slack_bot»
const token = '«k:slack_bot»';
const ALERT_WEBHOOK = '«k:slack_hook»';

const web = new WebClient(process.env.SLACK_BOT_TOKEN || token);

module.exports.notify = async (text) =>
  fetch(ALERT_WEBHOOK, { method: 'POST', body: JSON.stringify({ text }) });

module.exports.dm = (userId, text) => web.chat.postMessage({ channel: userId, text });
''')

doc("internal/db/config.go", r'''package db

import (
	"fmt"
	"os"
)

type Config struct {
	Host     string
	Port     int
	User     string
	Password string
	SSLMode  string
}

var Primary = Config{
	Host:     "«i:ipv4»",
	Port:     5432,
	User:     "orders",
	Password: "«p:pw»",
	SSLMode:  "require",
}

var Local = Config{Host: "127.0.0.1", Port: 5432, User: "postgres", Password: os.Getenv("PGPASSWORD"), SSLMode: "disable"}

func DSN(c Config) string {
	return fmt.Sprintf("postgres://%s:%s@%s:%d/orders?sslmode=%s", c.User, c.Password, c.Host, c.Port, c.SSLMode)
}
''')

doc("cmd/notifier/main.go", r'''package main

import (
	"log"
	"net"
)

// build: go1.21.5, see Makefile
const githubToken = "«k:ghp»"

var (
	twilioSID   = "«k:twilio_ac»"
	twilioToken = "«k:hex32»"
	resolvers   = []string{"8.8.8.8:53", "1.1.1.1:53", "[2606:4700:4700::1111]:53"}
	listenAddr  = "[::]:8443"
)

func main() {
	ln, err := net.Listen("tcp", listenAddr)
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	log.Printf("notifier up, resolvers=%v", resolvers)
	_ = newClient(twilioSID, twilioToken, githubToken)
}
''')

doc("src/main.rs", r'''use std::net::{IpAddr, Ipv6Addr, SocketAddr};

const SENDGRID_KEY: &str = "«k:sendgrid»";
const USER_AGENT: &str = "metrics-pusher/0.14.2";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr: SocketAddr = "0.0.0.0:8080".parse()?;
    let pushgateway: IpAddr = "«i:ipv6»".parse()?;
    assert!(!Ipv6Addr::LOCALHOST.is_unspecified());
    let client = reqwest::Client::builder().user_agent(USER_AGENT).build()?;
    let resp = client
        .post(format!("http://[{pushgateway}]:9091/metrics/job/pusher"))
        .basic_auth("metrics", Some("«p:pw»"))
        .send()
        .await?;
    tracing::info!(%addr, status = %resp.status(), "pushed");
    std::env::var("SENDGRID_KEY").unwrap_or_else(|_| SENDGRID_KEY.to_string());
    Ok(())
}
''')

doc("Cargo.toml", r'''[package]
name = "metrics-pusher"
version = "0.14.2"
edition = "2021"
authors = ["Lukas Brandt <«e=lukas.brandt@nordwerk-systems.de»>", "Mia Hoffmann <«e=mia@nordwerk-systems.de»>"]
license = "MIT OR Apache-2.0"

[dependencies]
tokio = { version = "1.35.1", features = ["full"] }
reqwest = { version = "0.11.23", default-features = false, features = ["rustls-tls"] }
internal-auth = { git = "https://github.com/nordwerk/internal-auth", rev = "«n:sha40»" }
''')

doc("Cargo.lock", r'''# This file is automatically @generated by Cargo.
version = 3

[[package]]
name = "tokio"
version = "1.35.1"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "«n:sha256»"

[[package]]
name = "internal-auth"
version = "0.3.0"
source = "git+https://github.com/nordwerk/internal-auth?rev=«n:sha40#r»#«n:sha40#r»"
''')

doc("src/main/java/com/acme/mail/MailConfig.java", r'''package com.acme.mail;

import java.util.Properties;
import javax.mail.*;
import org.springframework.beans.factory.annotation.Value;

public class MailConfig {
    private static final String JDBC_URL =
        "jdbc:postgresql://«i:ipv4»:5432/erp?user=erp_rw&password=«p:pw_url»&ssl=true";
    private static final String PASSWORD_RESET_PATH = "/account/password/reset";

    @Value("${spring.datasource.password}")
    private String dbPassword;

    public Session session() {
        Properties props = new Properties();
        props.put("mail.smtp.host", "smtp.office365.com");
        props.put("mail.smtp.port", "587");
        props.put("mail.smtp.user", "«e=noreply.billing@acme-logistics.de»");
        props.setProperty("mail.smtp.password", "«p:pw»");
        return Session.getInstance(props, new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication("«e=noreply.billing@acme-logistics.de»", "«p:pw»".toCharArray());
            }
        });
    }
}
''')

doc("src/main/resources/application.properties", r'''spring.application.name=erp-core
spring.datasource.url=jdbc:mysql://10.1.2.40:3306/erp?useSSL=true
spring.datasource.username=erp
spring.datasource.password=«p:pw»
spring.mail.host=smtp.office365.com
spring.mail.username=«e=erp-notify@acme-logistics.de»
spring.mail.password=«p:pw»
app.jwt.secret=«k:b64_48»
app.jwt.expiration-ms=3600000
management.server.address=127.0.0.1
app.version=3.4.1.7
app.cors.allowed-origins=https://erp.acme-logistics.de
''')

doc("Orders.Api/appsettings.Production.json", r'''{
  "ConnectionStrings": {
    "Default": "Server=tcp:sql-prod-weu.database.windows.net,1433;Initial Catalog=Orders;User ID=orders_app;Password=«p:pw_url»;Encrypt=True;",
    "Storage": "DefaultEndpointsProtocol=https;AccountName=acmeordersprod;AccountKey=«k:azure»;EndpointSuffix=core.windows.net",
    "Legacy": "Data Source=10.4.0.9;Initial Catalog=OrdersOld;Uid=legacy;Pwd=«p:pw_url»;"
  },
  "SendGrid": { "ApiKey": "«k:sendgrid»", "From": "«e=orders@acme-logistics.de»" },
  "Logging": { "LogLevel": { "Default": "Warning", "Microsoft.AspNetCore": "Warning" } },
  "AllowedHosts": "*",
  "ForwardedHeaders": { "KnownProxies": [ "10.4.0.1", "«i:ipv4»" ] },
  "Telemetry": { "InstrumentationId": "«n:uuid»", "SampleRate": 0.25 }
}
''')

doc("Orders.Api/Services/FtpUploader.cs", r'''using System;
using System.Net;
using System.Reflection;

[assembly: AssemblyVersion("2.0.1.3")]
[assembly: AssemblyFileVersion("2.0.1.3")]

namespace Orders.Api.Services
{
    // Owner: Dmitri Volkov <«e=d.volkov@acme-logistics.de»>
    public sealed class FtpUploader
    {
        private const string ServerIp = "«i:ipv4»";
        private static readonly NetworkCredential Creds = new NetworkCredential("ftp_orders", "«p:pw»");

        public Uri Target(string file) => new Uri($"ftp://{ServerIp}/inbound/{file}");

        public Guid CorrelationId { get; } = Guid.Parse("«n:uuid»");
    }
}
''')

doc("wp-config.php", r'''<?php
/** The name of the database for WordPress */
define( 'DB_NAME', 'wp_blog' );
define( 'DB_USER', 'wp_blog' );
define( 'DB_PASSWORD', '«p:pw»' );
define( 'DB_HOST', '10.0.12.5' );
define( 'DB_CHARSET', 'utf8mb4' );

/**#@+
 * Authentication unique keys and salts.
 * Change these to different unique phrases! https://api.wordpress.org/secret-key/1.1/salt/
 */
define( 'AUTH_KEY',         '«k:wpsalt»' );
define( 'SECURE_AUTH_KEY',  '«k:wpsalt»' );
define( 'LOGGED_IN_KEY',    '«k:wpsalt»' );
define( 'NONCE_KEY',        '«k:wpsalt»' );
define( 'AUTH_SALT',        getenv( 'WP_AUTH_SALT' ) );
/**#@-*/

$table_prefix = 'wp_';
define( 'WP_DEBUG', false );
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
''')

doc("src/Mailer.php", r'''<?php
namespace Hafenkontor\Shop;

use PHPMailer\PHPMailer\PHPMailer;

final class Mailer
{
    public static function make(): PHPMailer
    {
        $mail = new PHPMailer(true);
        $mail->isSMTP();
        $mail->Host = 'smtp.mailgun.org';
        $mail->SMTPAuth = true;
        $mail->Username = '«e=postmaster@mg.hafenkontor.de»';
        $mail->Password = '«p:pw»';
        $mail->setFrom('«e=bestellungen@hafenkontor.de»', 'Hafenkontor');
        return $mail;
    }

    public static function db(): \PDO
    {
        return new \PDO('mysql:host=«i:ipv4»;dbname=shop;charset=utf8mb4', 'shop', '«p:pw»');
    }

    public static function login(array $row, string $input): bool
    {
        $hash = password_hash($input, PASSWORD_DEFAULT);
        return password_verify($input, $row['password']);
    }
}
''')

doc("config/environments/production.rb", r'''Rails.application.configure do
  config.cache_classes = true
  config.hosts << "tidewater.app"

  config.action_mailer.delivery_method = :smtp
  config.action_mailer.smtp_settings = {
    address: "smtp.postmarkapp.com",
    port: 587,
    user_name: "«e=mailer@tidewater.app»",
    password: "«p:pw»",
    authentication: :plain
  }

  config.action_dispatch.trusted_proxies = %w[10.0.0.0/8 «i:ipv4»].map { |p| IPAddr.new(p) }
end

Stripe.api_key = "«k:rk_live»"
Stripe.api_version = "2023-10-16"
''')

doc("config/secrets.yml", r'''# Do not keep production secrets in the repository,
# instead read values from the environment.
development:
  secret_key_base: «k:hex128»

test:
  secret_key_base: «k:hex128»

production:
  secret_key_base: «k:hex128»
  mailchimp_api_key: «k:mailchimp»
  database_password: <%= ENV["DATABASE_PASSWORD"] %>
''')

doc("deploy/bootstrap.sh", r'''#!/usr/bin/env bash
set -euo pipefail

export AWS_ACCESS_KEY_ID="«k:aws_ak»"
export AWS_SECRET_ACCESS_KEY="«k:aws_sk»"
export AWS_DEFAULT_REGION=eu-central-1

WORKDIR="$(pwd)"
DB_HOST=10.30.1.15

mysql -h "$DB_HOST" -u root -p'«p:pw»' -e "CREATE DATABASE IF NOT EXISTS app"
sshpass -p '«p:pw»' ssh -o StrictHostKeyChecking=no deploy@«i:ipv4» 'sudo systemctl restart app'
curl -fsS -u "ci-bot:«p:pw»" https://nexus.tidewater.app/repository/raw/app-1.4.2.tar.gz -o app.tar.gz
echo "«n:sha256»  app.tar.gz" | sha256sum -c -

read -rsp "Vault password: " VAULT_PASS
ansible-vault view secrets.yml --vault-password-file <(echo "$VAULT_PASS")
git -C "$WORKDIR" checkout «n:sha40»
''')

doc(".env.production", r'''NODE_ENV=production
APP_URL=https://app.quillstack.dev
DATABASE_URL=postgresql://quill:«p:pw_url»@«i:ipv4»:5432/quill_prod
REDIS_PASSWORD=«p:pw»
GITHUB_TOKEN=«k:ghp»
NPM_TOKEN=«k:npm»
OPENAI_API_KEY=«k:openai»
STRIPE_WEBHOOK_SECRET=«k:whsec»
MAIL_FROM=«e=hello@quillstack.dev»
API_KEY=YOUR_API_KEY
ADMIN_PASSWORD=changeme
SENTRY_ENVIRONMENT=production
LOG_LEVEL=info
''')

doc(".env.example", r'''# Copy to .env and fill in.
DB_PASSWORD=
SECRET_KEY=<generate with: openssl rand -hex 32>
AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX
STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx
GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX
ADMIN_EMAIL=admin@example.com
SMTP_PASSWORD=********
JWT_SECRET=replace-me
SLACK_WEBHOOK_URL=https://hooks.slack.com/services/TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX
UPSTREAM_DNS=1.1.1.1
''')

doc("docker-compose.yml", r'''version: "3.9"
services:
  db:
    image: postgres:16.1-alpine@sha256:«n:sha256»
    environment:
      POSTGRES_USER: quill
      POSTGRES_PASSWORD: «p:pw»
      PGDATA: /var/lib/postgresql/data/pgdata
    networks: [backend]
  api:
    build: .
    environment:
      - DATABASE_URL=postgres://quill:«p:pw_url»@db:5432/quill
      - JWT_SECRET=${JWT_SECRET}
      - MAILCHIMP_API_KEY=«k:mailchimp»
    extra_hosts:
      - "host.docker.internal:host-gateway"
    dns: [1.1.1.1, 8.8.8.8]
    networks: [backend]
networks:
  backend:
    ipam:
      config:
        - subnet: 172.28.0.0/16
          gateway: 172.28.0.1
''')

doc("k8s/payments/secret.yaml", r'''apiVersion: v1
kind: Secret
metadata:
  name: payments-credentials
  namespace: payments
type: Opaque
stringData:
  DB_PASSWORD: "«p:pw»"
  STRIPE_SECRET_KEY: "«k:stripe_live»"
data:
  redis-password: «p:b64pw»
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments
spec:
  template:
    spec:
      containers:
        - name: api
          image: registry.brightlane.pl/payments:2.3.1
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: payments-credentials
                  key: password
            - name: POD_IP
              valueFrom:
                fieldRef:
                  fieldPath: status.podIP
''')

doc("ansible/group_vars/prod.yml", r'''---
db_password: "{{ vault_db_password }}"
app_admin_email: «e=ops-team@tidewater.app»
ntp_servers:
  - 0.pool.ntp.org
  - 1.pool.ntp.org
monitoring_allow_from:
  - «i:ipv4»/32
  - 10.0.0.0/8
smtp_relay_password: !vault |
          $ANSIBLE_VAULT;1.1;AES256
          «n:vaultblob»
# TODO: vault this too
backup_password: «p:pw»
''')

doc("infra/main.tf", r'''provider "aws" {
  region     = "eu-west-1"
  access_key = "«k:aws_ak»"
  secret_key = "«k:aws_sk»"
}

variable "db_password" {
  type      = string
  sensitive = true
}

resource "aws_vpc" "main" {
  cidr_block = "10.42.0.0/16"
}

resource "aws_db_instance" "main" {
  engine         = "postgres"
  engine_version = "15.4"
  username       = "app"
  password       = "«p:pw»"
}

resource "aws_db_instance" "replica" {
  engine   = "postgres"
  username = "app"
  password = var.db_password
}

resource "aws_security_group_rule" "office_ssh" {
  type        = "ingress"
  from_port   = 22
  to_port     = 22
  protocol    = "tcp"
  cidr_blocks = ["«i:ipv4»/32", "«i:ipv4»/32"]
}

resource "aws_security_group_rule" "egress_all" {
  type             = "egress"
  cidr_blocks      = ["0.0.0.0/0"]
  ipv6_cidr_blocks = ["::/0"]
}
''')

doc("infra/terraform.tfstate", r'''{
  "version": 4,
  "terraform_version": "1.6.6",
  "serial": 42,
  "lineage": "«n:uuid»",
  "resources": [
    {
      "mode": "managed",
      "type": "aws_instance",
      "name": "bastion",
      "instances": [
        {
          "attributes": {
            "ami": "ami-0c55b159cbfafe1f0",
            "id": "i-0abcd1234ef567890",
            "private_ip": "10.42.1.17",
            "public_ip": "«i:ipv4»",
            "ipv6_addresses": ["«i:ipv6»"],
            "tags": { "Owner": "«e=r.okafor@tidewater.app»" }
          }
        }
      ]
    },
    {
      "mode": "managed",
      "type": "aws_db_instance",
      "name": "main",
      "instances": [
        {
          "attributes": {
            "arn": "arn:aws:rds:eu-west-1:123456789012:db:main",
            "password": "«p:pw»",
            "endpoint": "main.c9akciq32.eu-west-1.rds.amazonaws.com:5432"
          }
        }
      ]
    }
  ]
}
''')

doc(".github/workflows/release.yml", r'''name: release
on:
  push:
    tags: ["v*"]
env:
  PYTHON_VERSION: "3.12"
  NODE_VERSION: 20.11.0
jobs:
  publish:
    runs-on: ubuntu-22.04
    services:
      postgres:
        image: postgres:16
        env:
          POSTGRES_PASSWORD: «p:pw»
        ports: ["5432:5432"]
    steps:
      - uses: actions/checkout@«n:sha40» # v4.1.1
      - uses: actions/setup-node@v4
        with:
          node-version: ${{ env.NODE_VERSION }}
      - run: echo "//registry.npmjs.org/:_authToken=${{ secrets.NPM_TOKEN }}" > ~/.npmrc
      - uses: docker/login-action@v3
        with:
          username: quillbot
          password: ${{ secrets.DOCKERHUB_TOKEN }}
      - name: Notify
        run: |
          curl -X POST -H 'Content-type: application/json' \
            --data '{"text":"released ${{ github.ref_name }}"}' \
            «k:slack_hook»
''')

doc(".gitlab-ci.yml", r'''variables:
  DOCKER_TLS_CERTDIR: ""
  GITLAB_DEPLOY_TOKEN: «k:glpat»
  MYSQL_ROOT_PASSWORD: «p:pw»
  MYSQL_DATABASE: app_test

test:
  image: python:3.11.7
  services: [mysql:8.0.35]
  script:
    - pip install -r requirements.txt
    - pytest -q

deploy:
  stage: deploy
  script:
    - ssh -p 2222 deploy@«i:ipv4» "cd /srv/app && git pull && systemctl restart app"
    - 'curl --header "PRIVATE-TOKEN: $CI_JOB_TOKEN" https://gitlab.brightlane.pl/api/v4/projects/17/releases'
''')

doc("Dockerfile", r'''FROM node:20.11.0-bookworm-slim@sha256:«n:sha256» AS build
LABEL maintainer="Tomasz Wójcik <«e=tomasz.wojcik@brightlane.pl»>"
ARG NPM_TOKEN
WORKDIR /app
COPY package*.json ./
RUN echo "//registry.npmjs.org/:_authToken=«k:npm»" > /root/.npmrc && npm ci && rm /root/.npmrc
COPY . .
RUN npm run build

FROM node:20.11.0-bookworm-slim
ENV NEXT_PUBLIC_API=https://api.brightlane.pl
ENV DISCORD_BOT_TOKEN=«k:discord»
ENV PGPASSWORD=«p:pw»
COPY --from=build /app/.next ./.next
HEALTHCHECK CMD curl -f http://localhost:3000/api/health || exit 1
EXPOSE 3000
''')

doc(".npmrc", r'''@brightlane:registry=https://npm.pkg.github.com/
//npm.pkg.github.com/:_authToken=«k:ghp»
//registry.npmjs.org/:_authToken=${NPM_TOKEN}
always-auth=true
email=«e=frontend-ci@brightlane.pl»
''')

doc(".pypirc", r'''[distutils]
index-servers =
    pypi
    internal

[pypi]
username = __token__
password = «k:pypi»

[internal]
repository = https://pypi.brightlane.pl/
username = release-bot
password = «p:pw»
''')

doc("pip.conf", r'''[global]
index-url = https://build:«p:pw_url»@nexus.brightlane.pl/repository/pypi/simple
extra-index-url = https://pypi.org/simple
trusted-host = 10.0.5.5
timeout = 60
''')

doc(".pgpass", r'''# hostname:port:database:username:password
db-prod.internal:5432:orders:orders_ro:«p:pw_pgpass»
«i:ipv4»:5432:*:postgres:«p:pw_pgpass»
''')

doc(".netrc", r'''machine api.heroku.com
  login «e=ana.ferreira@lisbonlabs.pt»
  password «p:pw»
machine git.heroku.com
  login «e=ana.ferreira@lisbonlabs.pt»
  password «p:pw»
''')

doc(".git/config", r'''[core]
	repositoryformatversion = 0
	filemode = true
	bare = false
[remote "origin"]
	url = git@github.com:brightlane/storefront.git
	fetch = +refs/heads/*:refs/remotes/origin/*
[remote "mirror"]
	url = https://oauth2:«k:glpat»@gitlab.brightlane.pl/web/storefront.git
	fetch = +refs/heads/*:refs/remotes/mirror/*
[user]
	name = Aleksandra Nowak
	email = «e=a.nowak@brightlane.pl»
[branch "main"]
	remote = origin
	merge = refs/heads/main
''')

doc("deploy/nginx/api.conf", r'''upstream api_backend {
    server 10.0.2.11:8000;
    server 10.0.2.12:8000;
    server [fd12:3456:789a::11]:8000 backup;
}

server {
    listen 443 ssl http2;
    listen [::]:443 ssl http2;
    server_name api.brightlane.pl;
    resolver 8.8.8.8 8.8.4.4 valid=300s;
    ssl_protocols TLSv1.2 TLSv1.3;

    location /admin/ {
        allow «i:ipv4»;
        allow «i:ipv6»;
        allow 192.168.10.0/24;
        deny all;
        auth_basic "restricted";
        auth_basic_user_file /etc/nginx/.htpasswd;
    }

    location / {
        proxy_pass http://api_backend;
        proxy_set_header X-Real-IP $remote_addr;
    }
    add_header Strict-Transport-Security "max-age=63072000" always;
}
''')

doc("deploy/nginx/.htpasswd", r'''admin:$apr1$Qx3k9Lm2$«n:b64_32»
deploy:«n:bcrypt»
''')

doc("logs/access.log", r'''«i:ipv4» - - [12/Mar/2024:10:15:32 +0000] "GET /api/v1/orders?page=2 HTTP/1.1" 200 5123 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.94 Safari/537.36"
10.0.2.1 - - [12/Mar/2024:10:15:33 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.28"
«i:ipv6» - - [12/Mar/2024:10:15:35 +0000] "POST /api/v1/login HTTP/2.0" 401 87 "https://app.brightlane.pl/login" "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X)"
«i:ipv4» - jane [12/Mar/2024:10:16:02 +0000] "GET /admin/ HTTP/1.1" 403 153 "-" "curl/8.4.0"
203.0.113.77 - - [12/Mar/2024:10:16:10 +0000] "GET /docs HTTP/1.1" 200 9911 "-" "Wget/1.21.4"
«i:ipv4» - - [12/Mar/2024:10:17:45 +0000] "GET /.env HTTP/1.1" 404 0 "-" "python-requests/2.31.0"
''')

doc("logs/auth.log", r'''Mar 12 03:14:07 bastion sshd[20431]: Failed password for invalid user admin from «i:ipv4» port 51422 ssh2
Mar 12 03:14:09 bastion sshd[20431]: Failed password for root from «i:ipv4» port 51430 ssh2
Mar 12 03:15:41 bastion sshd[20502]: Accepted publickey for deploy from 10.0.0.5 port 40022 ssh2: ED25519 SHA256:«n:b64_32»
Mar 12 03:20:00 bastion sshd[20611]: Connection closed by «i:ipv6» port 33018 [preauth]
Mar 12 03:21:13 bastion sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl restart app
''')

doc("logs/app-2024-03-12.jsonl", r'''{"ts":"2024-03-12T10:15:32.118Z","level":"info","msg":"login ok","user":"«e=k.lindqvist@nordkap-shipping.se»","ip":"«i:ipv4»","request_id":"«n:uuid»"}
{"ts":"2024-03-12T10:15:32.201Z","level":"debug","msg":"outgoing request","url":"https://api.nordkap-shipping.se/v2/quotes","headers":{"Authorization":"Bearer «k:jwt»"}}
{"ts":"2024-03-12T10:15:40.007Z","level":"warn","msg":"password reset requested","email":"«e=b.eriksson@gmail.com»","password":"[REDACTED]"}
{"ts":"2024-03-12T10:16:01.553Z","level":"error","msg":"upstream timeout","upstream":"10.0.2.12:8000","latency_ms":30001}
{"ts":"2024-03-12T10:16:09.912Z","level":"info","msg":"client connected","peer":"[«i:ipv6»]:51234","tls":"TLSv1.3"}
''')

doc("db/seed_staging.sql", r'''-- seed data for staging (copied from prod snapshot 2024-02-01, DO NOT COMMIT)
CREATE ROLE reporting LOGIN PASSWORD '«p:pw»';
ALTER USER app_rw WITH PASSWORD '«p:pw»';
GRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting;

INSERT INTO users (id, email, password_hash, last_login_ip, created_at) VALUES
  ('«n:uuid»', '«e=olga.petrenko@ukr.net»', '«n:bcrypt»', '«i:ipv4»', '2024-01-14 09:12:44'),
  ('«n:uuid»', '«e=h.tanaka+shop@docomo.ne.jp»', '«n:bcrypt»', '«i:ipv6»', '2024-01-15 17:03:10'),
  ('«n:uuid»', '«e=Carlos.Mendez@Telefonica.COM»', '«n:bcrypt»', '10.0.0.14', '2024-01-16 08:00:00');

INSERT INTO api_clients (name, api_key, scopes) VALUES ('zapier', '«k:hex40»', 'orders:read');

-- MySQL replica:
-- CREATE USER 'etl'@'%' IDENTIFIED BY '«p:pw»';
''')

doc("notebooks/churn_analysis.ipynb", r'''{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [],
   "source": [
    "import openai, psycopg2\n",
    "import pandas as pd\n",
    "openai.api_key = \"«k:openai»\"\n",
    "conn = psycopg2.connect(host=\"«i:ipv4#nb»\", user=\"analyst\", password=\"«p:pw»\")\n"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 2,
   "metadata": {},
   "outputs": [
    {
     "name": "stdout",
     "output_type": "stream",
     "text": [
      "Connected to «i:ipv4#nb» as analyst\n",
      "rows: 18234\n"
     ]
    }
   ],
   "source": [
    "df = pd.read_sql(\"select * from churn_features\", conn)\n"
   ]
  },
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "Questions about the features → «e=fatima.zahra@atlas-retail.ma»\n"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 3,
   "metadata": {},
   "outputs": [
    {
     "data": {
      "image/png": "«n:png_b64»",
      "text/plain": ["<Figure size 640x480 with 1 Axes>"]
     },
     "output_type": "display_data"
    }
   ],
   "source": ["df.churned.value_counts().plot.bar()\n"]
  }
 ],
 "metadata": {
  "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
  "language_info": {"name": "python", "version": "3.11.7"}
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
''')

doc("README.md", r'''# storefront-sync

[![CI](https://github.com/shiosai-tech/storefront-sync/actions/workflows/ci.yml/badge.svg)](https://github.com/shiosai-tech/storefront-sync/actions)

## Quick start

```bash
export STOREFRONT_API_KEY=<your-api-key>
curl -H "X-API-Key: $STOREFRONT_API_KEY" http://192.0.2.10:8080/v1/products
```

Example response:

```json
{"id": "«n:uuid»", "owner": "jane@example.com", "price": "19.99"}
```

## Maintainers

- Kenji Watanabe — «e=kenji.watanabe@shiosai-tech.co.jp»
- Priya Raghunathan (<«e=priya.r@shiosai-tech.co.jp»>)

Security issues: [«e=security@shiosai-tech.co.jp»](mailto:«e=security@shiosai-tech.co.jp»)

## Changelog

### 3.2.0.1 (2024-02-10)
- Wrap long header lines, see RFC 5321 section 4.5.3.1.
- Bump `@shiosai/sdk@2.1.0`.
''')

doc("docs/kontakt.md", r'''## Kontakt

Bei Fragen wenden Sie sich bitte an «e=jürgen.schäfer@bücherstube-köln.de» oder an unsere Zentrale
(«e=info@%PUNY%.de»).

## 联系我们

如有问题请发邮件至«e=zhang.wei@hanfeng-data.cn»，我们会尽快回复。

## お問い合わせ

担当：山田（«e=yamada.taro@sakura-kikaku.jp»）

## Связь

Пишите на «e=info@книжный-дом.рф» или «e=podderzhka@magazin-knig.ru».
''')

doc("tests/fixtures/users.json", r'''[
  {"id": 1, "name": "María José Álvarez", "email": "«e=mariajose.alvarez@correo-andino.com.co»", "signup_ip": "«i:ipv4»", "api_token": "«k:hex40»"},
  {"id": 2, "name": "Test User", "email": "test.user@example.org", "signup_ip": "198.51.100.14", "api_token": null},
  {"id": 3, "name": "Nguyễn Thị Lan", "email": "«e=lan.nguyen@fpt-soft.com.vn»", "signup_ip": "«i:ipv6»", "password": "«p:pw»"},
  {"id": 4, "name": "bot", "email": "bot@localhost", "signup_ip": "::1", "password": ""}
]
''')

doc("tests/test_auth.py", r'''import hashlib
import uuid

import pytest

VALID_JWT = (
    "«k:jwt»"
)


@pytest.fixture
def user(db):
    return User.objects.create_user(email="«e=qa.sergei.ivanov@yandex.ru»", password="«p:pw»")


def test_password_field_is_write_only(client, user):
    resp = client.get("/api/users/me", HTTP_AUTHORIZATION=f"Bearer {VALID_JWT}")
    assert "password" not in resp.json()


def test_rejects_empty_password(client, user):
    assert client.post("/login", json={"email": user.email, "password": ""}).status_code == 400


def test_sha256_vector():
    assert hashlib.sha256(b"abc").hexdigest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert hashlib.md5(b"abc").hexdigest() == "900150983cd24fb0d6963f7d28e17f72"


def test_uuid_roundtrip():
    assert str(uuid.UUID("«n:uuid#u»")) == "«n:uuid#u»"
''')

doc("internal/auth/testdata/keys.go", r'''package testdata

// TestRSAKey was generated with `openssl genrsa 2048`. Rotate if this repo goes public.
const TestRSAKey = `«k:pk_rsa»`

// TestECKey is used by the ES256 signer tests.
const TestECKey = "«k:pk_ec_esc»\n"

const TestPublicKey = `«n:pub_pem»`
''')

doc("deploy/ssh/id_ed25519", r'''«k:pk_openssh»
''')

doc("deploy/ssh/authorized_keys", r'''«n:ssh_pub» deploy@ci-runner-03
«n:ssh_pub» a.nowak@laptop
''')

doc("config/gcp-service-account.json", r'''{
  "type": "service_account",
  "project_id": "shiosai-analytics",
  "private_key_id": "«n:hex40»",
  "private_key": "«k:pk_json»\n",
  "client_email": "«e=etl-runner@shiosai-analytics.iam.gserviceaccount.com»",
  "client_id": "107823456789012345678",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/etl-runner%40shiosai-analytics.iam.gserviceaccount.com"
}
''')

doc("pkg/crypto/vectors_test.go", r'''package crypto

var sha1Vectors = []struct{ in, digest string }{
	{"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
	{"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
}

const (
	emptyMD5         = "d41d8cd98f00b204e9800998ecf8427e" // md5 of ""
	oidRSAEncryption = "1.2.840.113549.1.1.1"
	oidSHA256        = "2.16.840.1.101.3.4.2.1"
	snmpSysUpTime    = "1.3.6.1.2.1.1.3.0"
)

var fixture = struct {
	Checksum string
	ETag     string
	Commit   string
}{
	Checksum: "sha256:«n:sha256»",
	ETag:     "\"«n:hex32»\"",
	Commit:   "«n:sha40»",
}
''')

doc("docs/network.md", r'''# Network layout

The cluster uses 10.96.0.0/12 for services and 172.16.0.0/12 for pods; node link-local
addresses look like fe80::1ff:fe23:4567:890a%eth0. Services bind to 0.0.0.0 and :: by default.

Management VLAN: gateway 192.168.100.1, netmask 255.255.255.0, broadcast 192.168.100.255.
DHCP link-local fallback: 169.254.0.0/16.

The office uplink is «i:ipv4» (static, from our ISP), and the IPv6 prefix delegated to the
office is «i=2a02:810d:4b40:1a2c::»/64. The colo box answers on «i:ipv6» and on
«i:ipv6»; some clients show up in logs as «i=::ffff:81.19.72.31».

Upstream resolvers: 9.9.9.9, 149.112.112.112, 208.67.222.222, 208.67.220.220, 2620:fe::fe,
2001:4860:4860::8844.

Examples in this document use 198.51.100.0/24 and 2001:db8::/32 (e.g. 2001:db8:85a3::8a2e:370:7334).

Spare switch MAC: 3c:22:fb:9a:01:7e. Tailscale ULA: fd7a:115c:a1e0::1. Switch firmware 7.4.3.3.
Maintenance window 02:30:00-04:00:00 UTC.
''')

doc("src/netutil/ranges.py", r'''import ipaddress

__version__ = "4.2.1.0"

DEFAULT_BIND = "0.0.0.0"
PRIVATE_NETS = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")]
# abusive scrapers, see ticket OPS-812
BLOCKLIST = {"«i:ipv4»", "«i:ipv4»", "«i:ipv6»"}
RETRY_BACKOFF = (0.5, 1.0, 2.0, 4.0)


def is_private(ip: str) -> bool:
    addr = ipaddress.ip_address(ip)
    return any(addr in net for net in PRIVATE_NETS)


def project(a, b):
    return a @ b.T
''')

doc("web/styles/theme.css", r'''/* Theme for the storefront, maintained by «e=design@brightlane.pl» */
@import url("https://fonts.googleapis.com/css2?family=Inter:wght@400;600&display=swap");

:root {
  --color-bg: #0f172a;
  --color-fg: #e2e8f0;
  --color-accent: #f59e0b;
}

.hero {
  background: url("/img/hero@2x.png") center / cover no-repeat;
}

@media (min-width: 768px) {
  .hero { min-height: 60vh; }
}

@font-face {
  font-family: "Icons";
  src: url(data:font/woff2;base64,«n:b64_64») format("woff2");
}
''')

doc("package.json", r'''{
  "name": "@brightlane/storefront",
  "version": "2.14.0",
  "author": "Aleksandra Nowak <«e=a.nowak@brightlane.pl»>",
  "contributors": [
    { "name": "Ola Kowalska", "email": "«e=ola.kowalska@brightlane.pl»" }
  ],
  "dependencies": {
    "@slack/web-api": "^6.9.1",
    "lodash": "4.17.21"
  }
}
''')

doc("package-lock.json", r'''{
  "name": "@brightlane/storefront",
  "version": "2.14.0",
  "lockfileVersion": 3,
  "packages": {
    "node_modules/lodash": {
      "version": "4.17.21",
      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz",
      "integrity": "sha512-«n:b64_64»"
    }
  }
}
''')

doc("pyproject.toml", r'''[project]
name = "tidewater-etl"
version = "1.4.2"
authors = [{ name = "Oluwaseun Adeyemi", email = "«e=seun.adeyemi@tidewater.app»" }]
requires-python = ">=3.10"

[tool.bumpversion]
current_version = "1.4.2"

[tool.pytest.ini_options]
addopts = "-q"
''')

doc("alembic.ini", r'''[alembic]
script_location = migrations
sqlalchemy.url = postgresql+psycopg2://etl:«p:pw_url»@«i:ipv4»/warehouse

[ldap]
server = ldaps://10.1.1.10:636
bind_dn = cn=svc-etl,ou=Services,dc=tidewater,dc=app
bind_password = «p:pw»

[smtp]
user = «e=etl-reports@tidewater.app»
passwd = «p:pw»

[metrics]
statsd_host = 127.0.0.1
''')

doc("bot/main.py", r'''import os

import discord

TOKEN = "«k:discord»"
GUILD_ID = 1078345678901234567
OWNER = "«e=samir.haddad@outlook.com»"

intents = discord.Intents.default()
bot = discord.Client(intents=intents)


@bot.event
async def on_ready():
    print(f"logged in as {bot.user} (discord.py {discord.__version__})")


bot.run(os.getenv("DISCORD_TOKEN", TOKEN))
''')

doc("notifications/sms.py", r'''from twilio.rest import Client

account_sid = "«k:twilio_ac»"
auth_token = "«k:hex32»"
api_key_sid = "«k:twilio_sk»"

client = Client(account_sid, auth_token)


def send(to: str, body: str) -> str:
    msg = client.messages.create(from_="+15017122661", to=to, body=body)
    return msg.sid
''')

doc("firmware/include/config.h", r'''#pragma once

#define FW_VERSION "3.10.2.7"
#define WIFI_SSID "Werkstatt-2.4G"
#define WIFI_PASSWORD "«p:pw»"
#define MQTT_BROKER "«i:ipv4»"
#define MQTT_USER "sensor-07"
#define MQTT_PASS "«p:pw»"
#define NTP_SERVER "pool.ntp.org"
#define FALLBACK_DNS "1.0.0.1"

static const uint8_t MAC_ADDR[6] = {0xDE, 0xAD, 0xBE, 0xEF, 0xFE, 0xED};
static const char *CA_CERT = "«n:cert_esc»\n";
''')

doc("android/gradle.properties", r'''org.gradle.jvmargs=-Xmx4g -Dfile.encoding=UTF-8
android.useAndroidX=true
VERSION_NAME=5.2.0.12
RELEASE_STORE_FILE=release.keystore
RELEASE_STORE_PASSWORD=«p:pw»
RELEASE_KEY_ALIAS=upload
RELEASE_KEY_PASSWORD=«p:pw»
MAPS_API_KEY=«k:google_api»
''')

doc("scripts/send_report.py", r'''import smtplib
from email.message import EmailMessage

EMAIL_BODY = """\
Hi team,

the nightly export finished. Credentials for the SFTP drop (rotate monthly):
  host: «i:ipv4»
  user: exports
  password: «p:pw»

Questions -> «e=data-platform@nordkap-shipping.se»
"""


def send(to: list[str]) -> None:
    msg = EmailMessage()
    msg["From"] = "«e=reports@nordkap-shipping.se»"
    msg["To"] = ", ".join(to)
    msg.set_content(EMAIL_BODY)
    with smtplib.SMTP("10.0.7.25", 25) as s:
        s.send_message(msg)
''')

doc("deploy/alertmanager.yml", r'''global:
  smtp_smarthost: 'smtp.gmail.com:587'
  smtp_from: '«e=alerts.tidewater@gmail.com»'
  smtp_auth_username: '«e=alerts.tidewater@gmail.com»'
  smtp_auth_password: '«p:gmail_app»'
  slack_api_url: '«k:slack_hook»'

route:
  receiver: pager
  group_wait: 30s

receivers:
  - name: pager
    pagerduty_configs:
      - routing_key: «k:hex32»

# prometheus.yml (same repo)
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['10.0.3.21:9100', '10.0.3.22:9100', '«i:ipv4»:9100']
''')

doc("src/auth/forms.py", r'''import os
import secrets

from django import forms
from passlib.context import CryptContext

pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")
MIN_PASSWORD_LENGTH = 10
ACCESS_TOKEN_EXPIRE_MINUTES = 30
API_KEY_HEADER = "X-API-Key"
SECRET_KEY = os.environ["SECRET_KEY"]
TOKEN_URL = "https://login.microsoftonline.com/«n:uuid»/oauth2/v2.0/token"
TENANT_ID = "«n:uuid»"
password_reset_token_ttl = 3600


class SignupForm(forms.Form):
    email = forms.EmailField()
    password_field = forms.CharField(widget=forms.PasswordInput, min_length=MIN_PASSWORD_LENGTH)
    password_confirm = forms.CharField(widget=forms.PasswordInput)

    def clean_password(self):
        password = self.cleaned_data.get("password")
        return password


def get_password_hash(password: str) -> str:
    return pwd_context.hash(password)


def new_api_token() -> str:
    token = secrets.token_urlsafe(32)
    return token


def reset(user, password=None, api_key=None):
    password = os.environ["DB_PASSWORD"]
    api_key = request.headers.get("X-Api-Key")
    hashed_password = "«n:bcrypt»"
    return password, api_key, hashed_password
''')

doc("src/legacy/migrate.py", r'''import json

# previous deploy token, revoked? keep until the 2019 exports are re-encrypted: «k:gh_pat»
PAYLOAD = '{"service": "billing", "credentials": {"api_key": "«k:hex40»", "password": "«p:pw»"}}'

CONFIG = json.loads("""
{"smtp": {"user": "«e=legacy-mailer@hafenkontor.de»", "pass": "«p:pw»", "host": "«i:ipv4»"}}
""")
''')

doc("docs/aws-cli.md", r'''# Configuring the AWS CLI

Run `aws configure` and paste your credentials. The values below are the example credentials
from the AWS documentation, not real ones:

```
AWS Access Key ID [None]: AKIAIOSFODNN7EXAMPLE
AWS Secret Access Key [None]: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
Default region name [None]: us-west-2
```

Our CI user's real file looks like this (copied here by mistake, ticket SEC-77):

```ini
[ci]
aws_access_key_id = «k:aws_ak»
aws_secret_access_key = «k:aws_sk»
aws_session_token = «k:aws_session»
region = us-east-2
```
''')

doc("scripts/export_slack.py", r'''"""Export a channel's history. Needs a user token with channels:history."""
import sys

from slack_sdk import WebClient

client = WebClient(token="«k:slack_user»")
GITHUB_OAUTH = "«k:gho»"
APP_INSTALL_TOKEN = "«k:ghs»"


def export(channel: str) -> None:
    cursor = None
    while True:
        page = client.conversations_history(channel=channel, cursor=cursor, limit=200)
        for m in page["messages"]:
            sys.stdout.write(f"{m['ts']}\t{m.get('user')}\t{m.get('text', '')}\n")
        cursor = page.get("response_metadata", {}).get("next_cursor")
        if not cursor:
            break
''')

doc("CONTRIBUTORS.txt", r'''# Generated from `git shortlog -se`; see .mailmap.
   412  Kenji Watanabe <«e=kenji.watanabe@shiosai-tech.co.jp»>
   188  Priya Raghunathan <«e=priya.r@shiosai-tech.co.jp»>
    57  Émilie Gauthier <«e=emilie.gauthier@ulaval.ca»>
    12  O'Brien, Seán <«e=sean.obrien@students.tcd.ie»>
     3  build <build@ci-runner>
''')


def heldout_documents(seed: int = SEED) -> list[LabelledDoc]:
    r = random.Random(seed)
    return [_render(name, template.replace("%PUNY%", _PUNY), r) for name, template in DOCS]
