"""Blind labelled test set #8 for the PII/secret scrubber: realism and representativeness.

Each document imitates a file one would find when sampling a large crawl of permissively
licensed GitHub repositories (the training data of a code LLM) and keeping the files that hold
at least one secret or one hard negative: tutorial projects with hard-coded database
credentials, test suites with fixture users, scripts with API tokens pasted in, configs
committed by mistake, docs with example credentials, CI files, notebooks, IoT sketches, old PHP
apps, commented-out lines, connection strings and curl commands in READMEs -- next to the hard
negatives real code is full of (hashes, git SHAs, UUIDs, placeholders, env reads, password
hashes, 4-part versions, OIDs, identifiers containing Key/Secret/Token/Password, base64 test
data, public keys and certificates, public-by-design ids, private IPs, DNS resolvers).

Planted spans are written ``⟦kind|value⟧``; the templates below use ``«P:name»``, ``«K:name»``,
``«E:name»`` and ``«I:name»`` for planted values and ``«name»`` for unlabelled filler drawn from
the same per-document ``random.Random`` (seeded from the set seed and the document name), so
every secret value differs with the seed and nothing secret is a fixed literal.

Labelling policy
----------------
email
    Real mailboxes (subdomains, any real TLD, IDN, +tags, service-account addresses).
    Not: decorators/annotations (``@Override``), ``pkg@1.2.3``, ``image@sha256:...``,
    ``icon@2x.png``, SQL ``'user'@'host'``, ``ssh user@host``. No reserved example domains used.
ip_address
    Public IPv4/IPv6 host addresses; the span is the address only (no port, no ``/len``,
    no brackets). Not: private, loopback, link-local, unspecified, CGNAT, multicast,
    broadcast/netmasks, documentation ranges, the well-known public DNS resolvers, version
    strings, OIDs, ``IPAddress(192, 168, 1, 2)`` style tuples.
key
    Provider tokens and API keys, private key blocks (span from ``-----BEGIN`` to the last dash
    of the END line), JWTs, high-entropy values under secret-like names, Slack webhook paths.
    A provider-shaped token in a password slot is a ``key``.
    Not: hashes next to sha/md5/digest/checksum/integrity/commit, UUIDs, placeholders,
    template/env references, public keys and certificates, AWS ``...EXAMPLE`` keys, key
    identifiers (KMS ARNs), public-by-design ids (Stripe publishable keys, reCAPTCHA site keys,
    OAuth client ids, a Sentry DSN's public key).
password
    Literal passwords in assignments, kwargs, dict/map literals, config files, connection
    strings, CLI invocations, URLs (span = the password part only, as written, percent-encoded
    where it is), test fixtures; a password escaped inside a string literal is spanned as
    written (with its backslashes). A random string a person would not type but that sits in a
    password slot and has no provider shape is still a ``password``. Not: reads (env, getpass,
    input, ``read -s``), None/empty, template refs, hashes (bcrypt/argon2/pbkdf2), masked
    ``****``, UI labels/translations, identifiers like ``reset_password_url``.
Left out entirely (neither planted nor used as negatives): Twilio account SIDs (AC...), GCP
``private_key_id`` values, dictionary-word passwords (``password``, ``admin``, ``changeme``),
old-style Sentry DSNs with a secret part.

Additional conventions used here: a span is exactly the value (never the quotes, ``user:`` or
the port); for ``Authorization: Basic <base64>`` the base64 is a ``key``; a Slack incoming
webhook is spanned as its path (``T.../B.../...``) after ``/services/``; a value such as
Laravel's ``APP_KEY=base64:...`` or Django's ``django-insecure-...`` is spanned whole.

Run ``python -m tests.pii_testset8`` to validate the set and print its counts.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import random
import re
import string
import sys
import uuid
from collections import Counter
from urllib.parse import quote

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 8088

_KIND_OF = {"P": "password", "K": "key", "E": "email", "I": "ip_address"}
_SLOT = re.compile(r"«(?:([PKEI]):)?(\w+)»")
_MARKED = re.compile(r"⟦(email|ip_address|key|password)\|(.*?)⟧", re.S)

# ------------------------------------------------------------------------------ value generators

_B62 = string.ascii_letters + string.digits
_B64 = _B62 + "+/"
_B64URL = _B62 + "-_"
_HEX = "0123456789abcdef"
_UPHEX = "0123456789ABCDEF"
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_UPAN = string.ascii_uppercase + string.digits
_LOWAN = string.ascii_lowercase + string.digits
_BCRYPT = "./" + string.ascii_uppercase + string.ascii_lowercase + string.digits

_WORDS = (
    "falcon summer dragon monkey tiger coffee pepper rocket shadow winter purple banana orange "
    "cookie silver thunder maple hunter ginger pirate castle jaguar lemon mango sunset harbor "
    "canyon velvet cobalt nebula pickle walrus zebra violet copper marble breeze lotus raven "
    "spruce biscuit tundra quartz meadow comet willow atlas phoenix kiwi panda sunshine blossom "
    "cricket mustang gizmo pumpkin snoopy buster rainbow tornado sparrow glacier wombat cactus "
    "noodle pretzel hazel juniper magnet saturn orbit pixel kraken badger otter lynx bamboo "
    "mocha espresso nimbus aurora delta gecko basil cinnamon fjord koala sahara ember"
).split()
_FIRST = (
    "anna ben carlos diana erik fatima george hannah ivan julia kenji laura marco nina omar "
    "priya quentin rosa samuel tanya umar vera wei xavier yuki zoe lukas sofia mateus chloe "
    "arjun elif noah emma liam olivia mia lucas amelia hugo ines tomasz agnieszka sven ingrid "
    "pieter femke jonas lea rafael camila dmitri olga ahmed leila kwame amara"
).split()
_LAST = (
    "smith garcia muller rossi novak kowalski silva santos dubois martin jensen nielsen "
    "johansson tanaka kim nguyen patel singh khan obrien murphy schmidt weber fischer meyer "
    "wagner becker hoffmann schulz bakker visser jansen dekker lopez fernandez gomez perez "
    "moreau laurent lefebvre bianchi romano ricci costa ferreira oliveira popescu ivanov "
    "petrov horvat nagy andersson berg lindqvist okafor mensah walker wright brooks"
).split()
_CO1 = (
    "blue north bright green silver river stone cloud iron red swift open deep clear true "
    "quantum pixel nova terra urban alpine coastal lunar solar amber cedar summit harbor "
    "vector prairie granite"
).split()
_CO2 = (
    "harbor wave labs works soft tech grid forge logic data bridge point path stack systems "
    "digital media analytics ventures studio cloud metrics robotics health finance"
).split()
_TLDS = (
    "com com com io io net org de fr co.uk nl com.br pl dev ch se es it ca com.au co tech "
    "app ai eu at be dk fi no jp in cz pt ie"
).split()
_FREEMAIL = (
    "gmail.com gmail.com gmail.com outlook.com hotmail.com yahoo.com proton.me icloud.com "
    "gmx.de web.de yandex.ru mail.ru qq.com free.fr orange.fr libero.it uol.com.br "
    "seznam.cz wp.pl naver.com"
).split()
_PUB_FIRST = [
    3, 5, 13, 18, 23, 31, 34, 35, 37, 38, 40, 41, 44, 45, 46, 47, 49, 50, 51, 52, 54, 57, 62,
    63, 65, 66, 67, 68, 69, 70, 71, 72, 74, 75, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88,
    89, 90, 91, 92, 93, 95, 96, 97, 98, 99, 101, 103, 104, 107, 108, 109, 110, 111, 112, 113,
    114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 128, 129, 130, 131, 132, 133,
    134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 145, 146, 147, 148, 150, 151, 152,
    153, 154, 155, 157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 170, 171, 173,
    174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191,
    193, 194, 195, 196, 197, 199, 200, 201, 202, 204, 205, 206, 207, 209, 210, 211, 212, 213,
    216, 217, 218, 219, 220, 221, 222, 223,
]
_V6_PREFIX = (
    "2a01:4f8 2a01:4f9 2600:1f18 2600:1f14 2a05:d018 2604:a880 2001:41d0 2a03:b0c0 2406:da18 "
    "2a00:1450 2607:f8b0 2a02:c207 2600:3c00 2a0e:97c0"
).split()
# Well-known public resolvers: never planted, used as negatives.
RESOLVERS = {
    "8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
    "208.67.222.222", "208.67.220.220", "2001:4860:4860::8888", "2001:4860:4860::8844",
    "2606:4700:4700::1111", "2606:4700:4700::1001",
}
_RESERVED_MAIL = re.compile(r"@(?:[\w.-]+\.)?(?:example\.(?:com|net|org)|[\w-]+\.(?:test|example|invalid|localhost))$")
_LEET = {"a": "@4", "e": "3", "i": "1!", "o": "0", "s": "$5", "t": "7"}
_SEASONS = ("Spring", "Summer", "Autumn", "Winter", "Fall")


class Gen:
    """Seeded generators of secret values and of unlabelled look-alikes."""

    def __init__(self, r: random.Random):
        self.r = r

    # -- primitives
    def pick(self, seq):
        return self.r.choice(seq)

    def chars(self, alphabet: str, n: int) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def hex(self, n: int) -> str:
        return self.chars(_HEX, n)

    def uhex(self, n: int) -> str:
        return self.chars(_UPHEX, n)

    def alnum(self, n: int) -> str:
        return self.chars(_B62, n)

    def lowan(self, n: int) -> str:
        return self.chars(_LOWAN, n)

    def upan(self, n: int) -> str:
        return self.chars(_UPAN, n)

    def b64url(self, n: int) -> str:
        return self.chars(_B64URL, n)

    def digits(self, n: int) -> str:
        return str(self.r.randint(1, 9)) + self.chars(string.digits, n - 1)

    def b64bytes(self, nbytes: int) -> str:
        return base64.b64encode(bytes(self.r.getrandbits(8) for _ in range(nbytes))).decode()

    def b64body(self, n: int) -> str:
        return self.chars(_B64, n)

    def int(self, a: int, b: int) -> int:
        return self.r.randint(a, b)

    # -- people and mailboxes
    def first(self) -> str:
        return self.pick(_FIRST)

    def last(self) -> str:
        return self.pick(_LAST)

    def fullname(self) -> str:
        return f"{self.first().capitalize()} {self.last().capitalize()}"

    def company(self) -> str:
        a, b = self.pick(_CO1), self.pick(_CO2)
        return self.pick([f"{a}{b}", f"{a}-{b}", f"{a}{b}"])

    def domain(self) -> str:
        return f"{self.company()}.{self.pick(_TLDS)}"

    def local(self, first: str | None = None, last: str | None = None) -> str:
        f, la = first or self.first(), last or self.last()
        return self.pick([
            f"{f}.{la}", f"{f[0]}{la}", f, f"{f}_{la}", f"{f}{self.int(1, 99)}",
            f"{f}.{la}{self.int(70, 99)}", f"{la}.{f}", f"{f}-{la}",
        ])

    def email(self, domain: str | None = None, local: str | None = None) -> str:
        return f"{local or self.local()}@{domain or self.domain()}"

    def freemail(self) -> str:
        d = self.pick(_FREEMAIL)
        if d == "qq.com":
            return f"{self.digits(self.int(8, 10))}@qq.com"
        return f"{self.local()}@{d}"

    def role_email(self, domain: str | None = None) -> str:
        role = self.pick(["ops", "devops", "support", "billing", "noreply", "no-reply", "alerts",
                          "security", "hello", "contact", "info", "team", "it-helpdesk", "dev"])
        return f"{role}@{domain or self.domain()}"

    def sub_email(self) -> str:
        sub = self.pick(["mail", "corp", "eng", "lists", "students", "staff", "mx", "uk", "research"])
        return f"{self.local()}@{sub}.{self.domain()}"

    def tag_email(self, domain: str | None = None) -> str:
        tag = self.pick(["qa", "test", "staging", "ci", "github", "dev", "e2e", "smoke", "alerts"])
        return f"{self.first()}+{tag}{self.pick(['', str(self.int(1, 9))])}@{domain or self.pick(_FREEMAIL[:5] + [self.domain()])}"

    def idn_email(self) -> str:
        return self.pick([
            f"jürgen.{self.last()}@müller-{self.pick(['bau', 'technik', 'werke'])}.de",
            f"josé.{self.last()}@{self.pick(['diseño', 'compañía', 'señal'])}{self.int(1, 99)}.es",
            f"{self.first()}@bücher-{self.pick(['haus', 'stube', 'welt'])}.at",
            f"françois.{self.last()}@{self.pick(['société', 'créations', 'studio-été'])}.fr",
            f"søren.{self.last()}@{self.pick(['blåbær', 'grøn'])}-data.dk",
            f"{self.first()}@{self.pick(['пример', 'почта', 'сайт'])}{self.int(1, 99)}.рф",
        ])

    def sa_email(self) -> str:
        proj = f"{self.pick(_CO1)}-{self.pick(['prod', 'staging', 'data', 'ml', 'web'])}-{self.digits(6)}"
        return self.pick([
            f"{self.pick(['deployer', 'ci-runner', 'bq-reader', 'terraform', 'app-engine'])}@{proj}.iam.gserviceaccount.com",
            f"{self.digits(12)}-compute@developer.gserviceaccount.com",
        ])

    def gh_noreply(self) -> str:
        return f"{self.digits(8)}+{self.first()}{self.last()[:3]}@users.noreply.github.com"

    # -- addresses
    def ip(self) -> str:
        while True:
            a = self.pick(_PUB_FIRST)
            s = f"{a}.{self.int(0, 255)}.{self.int(0, 255)}.{self.int(1, 254)}"
            addr = ipaddress.ip_address(s)
            if addr.is_global and s not in RESOLVERS:
                return s

    def ip6(self) -> str:
        pre = self.pick(_V6_PREFIX)
        mid = ":".join(format(self.int(0, 0xFFFF), "x") for _ in range(self.int(1, 2)))
        tail = ":".join(format(self.int(1, 0xFFFF), "x") for _ in range(self.int(1, 2)))
        s = str(ipaddress.ip_address(f"{pre}:{mid}::{tail}"))
        return s

    def priv_ip(self) -> str:
        return self.pick([
            f"10.{self.int(0, 255)}.{self.int(0, 255)}.{self.int(1, 254)}",
            f"172.{self.int(16, 31)}.{self.int(0, 255)}.{self.int(1, 254)}",
            f"192.168.{self.int(0, 255)}.{self.int(1, 254)}",
        ])

    def doc_ip(self) -> str:
        return self.pick(["192.0.2", "198.51.100", "203.0.113"]) + f".{self.int(1, 254)}"

    def ver4(self) -> str:
        return f"{self.int(2, 12)}.{self.int(0, 40)}.{self.int(0, 300)}.{self.int(1, 99)}"

    # -- passwords
    def pw(self, sym: str = "!@#$%&*?-_.+=", style: int | None = None) -> str:
        r = self.r
        style = r.randrange(11) if style is None else style
        w, w2, w3 = self.pick(_WORDS), self.pick(_WORDS), self.pick(_WORDS)
        s = r.choice(sym) if sym else str(r.randint(0, 9))
        if style == 0:
            return f"{w.capitalize()}{r.randint(10, 2025)}{s}"
        if style == 1:
            return f"{w}{r.randint(10, 99)}"
        if style == 2:
            out = []
            for ch in w.capitalize():
                opts = [c for c in _LEET.get(ch, "") if c.isalnum() or c in sym]
                out.append(r.choice(opts) if opts and r.random() < 0.8 else ch)
            return "".join(out) + s + str(r.randint(1, 999))
        if style == 3:
            sep = r.choice(["-", ".", "_", ""]) if sym else ""
            sep = sep if (not sep or sep in sym) else ""
            parts = [w, w2, w3] + ([self.pick(_WORDS)] if r.random() < 0.4 else [])
            if not sep:
                parts = [p.capitalize() for p in parts]
            return sep.join(parts) + str(r.randint(1, 99))
        if style == 4:
            return self.chars(_B62 + sym, r.randint(10, 20))
        if style == 5:
            return f"{r.choice(_SEASONS)}{r.randint(2015, 2025)}{s}"
        if style == 6:
            return f"{w.capitalize()}{s}{w2.capitalize()}{r.randint(1, 999)}"
        if style == 7:
            return f"{self.first().capitalize()}{r.choice([r.randint(1960, 2010), r.randint(1, 31)])}{s}"
        if style == 8:
            return f"{w[:4]}{s}{r.randint(100, 9999)}{w2[:3].upper()}"
        if style == 9:
            return self.chars(_B62, r.randint(16, 32))
        return f"{w}{w2}{r.randint(1, 9999)}"

    def rpw(self, n1: int = 12, n2: int = 24, sym: str = "") -> str:
        """A generated password a person would not type (password managers, pwgen)."""
        n = self.int(n1, n2)
        while True:
            s = self.chars(_B62 + sym, n)
            if any(c.isdigit() for c in s) and any(c.isalpha() for c in s):
                return s

    def app_pw(self) -> str:
        groups = [self.chars(string.ascii_lowercase, 4) for _ in range(4)]
        return self.pick([" ".join(groups), "".join(groups)])

    # -- provider keys
    def aws_id(self, prefix: str = "AKIA") -> str:
        return prefix + self.chars(_B32, 16)

    def aws_secret(self) -> str:
        return self.chars(_B64, 40)

    def aws_session(self) -> str:
        return "IQoJb3JpZ2luX2VjE" + self.chars(_B64, self.int(300, 360)) + "="

    def ghp(self, prefix: str = "ghp_") -> str:
        return prefix + self.alnum(36)

    def github_pat(self) -> str:
        return f"github_pat_{self.alnum(22)}_{self.alnum(59)}"

    def glpat(self) -> str:
        return "glpat-" + self.b64url(20)

    def xoxb(self) -> str:
        return f"xoxb-{self.digits(self.int(10, 13))}-{self.digits(self.int(10, 13))}-{self.alnum(24)}"

    def xoxp(self) -> str:
        return f"xoxp-{self.digits(11)}-{self.digits(11)}-{self.digits(13)}-{self.hex(32)}"

    def xapp(self) -> str:
        return f"xapp-1-A{self.upan(10)}-{self.digits(13)}-{self.hex(64)}"

    def slack_path(self) -> str:
        return f"T{self.upan(self.int(8, 10))}/B{self.upan(self.int(8, 10))}/{self.alnum(24)}"

    def sk_live(self, prefix: str = "sk_live_") -> str:
        return prefix + self.pick([self.alnum(24), "51" + self.alnum(97)])

    def whsec(self) -> str:
        return "whsec_" + self.alnum(32)

    def sendgrid(self) -> str:
        return f"SG.{self.b64url(22)}.{self.b64url(43)}"

    def mailgun(self) -> str:
        return self.pick([f"key-{self.hex(32)}", f"{self.hex(32)}-{self.hex(8)}-{self.hex(8)}"])

    def mailchimp(self) -> str:
        return f"{self.hex(32)}-us{self.int(1, 21)}"

    def npm(self) -> str:
        return "npm_" + self.alnum(36)

    def pypi(self) -> str:
        return "pypi-AgEIcHlwaS5vcmc" + self.b64url(self.int(140, 170))

    def discord(self) -> str:
        uid = base64.b64encode(self.digits(18).encode()).decode().rstrip("=")
        return f"{uid}.{self.b64url(6)}.{self.b64url(self.int(27, 38))}"

    def telegram(self) -> str:
        return f"{self.digits(self.int(9, 10))}:AA{self.b64url(33)}"

    def aiza(self) -> str:
        return "AIza" + self.b64url(35)

    def gocspx(self) -> str:
        return "GOCSPX-" + self.b64url(28)

    def azure_storage(self) -> str:
        return self.b64bytes(64)

    def azure_secret(self) -> str:
        return f"{self.alnum(3)}8Q~{self.chars(_B62 + '_.~-', 34)}"

    def openai(self) -> str:
        return self.pick([
            f"sk-{self.alnum(20)}T3BlbkFJ{self.alnum(20)}",
            f"sk-proj-{self.b64url(self.int(56, 130))}",
        ])

    def anthropic(self) -> str:
        return f"sk-ant-api03-{self.b64url(93)}AA"

    def hf(self) -> str:
        return "hf_" + self.chars(string.ascii_letters, 34)

    def shopify(self, prefix: str = "shpat_") -> str:
        return prefix + self.hex(32)

    def heroku(self) -> str:
        return "HRKU-AA" + self.b64url(58)

    def do_token(self) -> str:
        return "dop_v1_" + self.hex(64)

    def cf_token(self) -> str:
        return self.b64url(40)

    def okta(self) -> str:
        return "00" + self.b64url(40)

    def vault(self) -> str:
        return "hvs." + self.alnum(24)

    def docker_pat(self) -> str:
        return "dckr_pat_" + self.b64url(27)

    def sonar(self) -> str:
        return "squ_" + self.hex(40)

    def sentry_user(self) -> str:
        return "sntryu_" + self.hex(64)

    def newrelic(self) -> str:
        return "NRAK-" + self.upan(27)

    def grafana(self) -> str:
        return f"glsa_{self.alnum(32)}_{self.hex(8)}"

    def fcm(self) -> str:
        return f"AAAA{self.b64url(7)}:APA91b{self.b64url(134)}"

    def tfc(self) -> str:
        return f"{self.alnum(14)}.atlasv1.{self.alnum(67)}"

    def databricks(self) -> str:
        return "dapi" + self.hex(32)

    def rubygems(self) -> str:
        return "rubygems_" + self.hex(48)

    def resend(self) -> str:
        return f"re_{self.alnum(8)}_{self.b64url(24)}"

    def mapbox_sk(self) -> str:
        payload = base64.b64encode(json.dumps({"u": self.first() + self.last(), "a": self.lowan(25)}, separators=(",", ":")).encode()).decode().rstrip("=")
        return f"sk.{payload}.{self.b64url(22)}"

    def django_key(self) -> str:
        return "django-insecure-" + self.chars(string.ascii_lowercase + string.digits + "!@#$%^&*(-_=+)", 50)

    def jwt(self, claims: dict | None = None, alg: str = "HS256") -> str:
        def enc(obj: dict) -> str:
            raw = json.dumps(obj, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        claims = claims or {"sub": self.digits(7), "name": self.fullname(), "iat": self.int(1_650_000_000, 1_720_000_000)}
        now = claims.get("iat", 1_700_000_000)
        claims = {**claims, "exp": now + self.pick([3600, 86400, 315360000])}
        return f"{enc({'alg': alg, 'typ': 'JWT'})}.{enc(claims)}.{self.b64url(342 if alg == 'RS256' else 43)}"

    def pem(self, label: str = "RSA PRIVATE KEY", lines: int = 25, prefix: str = "MIIEowIBAAKCAQEA", width: int = 64) -> str:
        body = prefix + self.b64body(width * lines - len(prefix) - self.int(4, 40))
        rows = [body[i:i + width] for i in range(0, len(body), width)]
        return f"-----BEGIN {label}-----\n" + "\n".join(rows) + f"\n-----END {label}-----"

    def openssh_key(self) -> str:
        return self.pem("OPENSSH PRIVATE KEY", self.int(5, 7), "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", 70)

    def ec_key(self) -> str:
        return self.pem("EC PRIVATE KEY", 3, "MHcCAQEEI")

    def pkcs8_key(self, lines: int = 26) -> str:
        return self.pem("PRIVATE KEY", lines, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ")

    # -- unlabelled look-alikes (hard negatives)
    def uuid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def sha1(self) -> str:
        return self.hex(40)

    def sha256(self) -> str:
        return self.hex(64)

    def md5(self) -> str:
        return self.hex(32)

    def bcrypt(self, prefix: str = "$2b$12$") -> str:
        return prefix + self.chars(_BCRYPT, 53)

    def argon2(self) -> str:
        return f"$argon2id$v=19$m=65536,t=3,p=4${self.chars(_B64, 22)}${self.chars(_B64, 43)}"

    def pbkdf2(self) -> str:
        return f"pbkdf2_sha256$600000${self.alnum(22)}${self.b64bytes(32)}"

    def integrity(self) -> str:
        return "sha512-" + self.b64bytes(64)

    def ssh_pub(self, comment: str = "") -> str:
        kind = self.pick(["rsa", "ed"])
        if kind == "rsa":
            k = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ" + self.b64body(self.int(500, 540))
        else:
            k = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + self.b64body(43)
        return f"{k} {comment or self.first() + '@' + self.pick(['laptop', 'build-01', 'macbook'])}"

    def cert(self, lines: int = 18) -> str:
        return self.pem("CERTIFICATE", lines, "MIIDdzCCAl+gAwIBAgIEb")

    def pubkey(self) -> str:
        return self.pem("PUBLIC KEY", 6, "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA")

    def yt(self) -> str:
        return self.b64url(11)

    def drive_id(self) -> str:
        return "1" + self.b64url(32)

    def png_b64(self, n: int = 600) -> str:
        return "iVBORw0KGgoAAAANSUhEUgAA" + self.b64body(n) + "=="

    def pk_live(self) -> str:
        return "pk_live_" + self.pick([self.alnum(24), "51" + self.alnum(97)])

    def recaptcha(self) -> str:
        return "6L" + self.b64url(38)

    def oauth_client_id(self) -> str:
        return f"{self.digits(12)}-{self.lowan(32)}.apps.googleusercontent.com"

    def sentry_dsn(self) -> str:
        return f"https://{self.hex(32)}@o{self.digits(6)}.ingest.sentry.io/{self.digits(7)}"

    def kms_arn(self) -> str:
        return f"arn:aws:kms:{self.pick(['us-east-1', 'eu-west-1', 'eu-central-1'])}:{self.digits(12)}:key/{self.uuid()}"


AWS_EXAMPLE_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

# ------------------------------------------------------------------------------ registry

_DOCS: list[tuple[str, object]] = []


def doc(name: str):
    def deco(fn):
        _DOCS.append((name, fn))
        return fn
    return deco


def fill(template: str, vals: dict) -> str:
    if template.startswith("\n"):
        template = template[1:]

    def rep(m: re.Match) -> str:
        kind, key = m.group(1), m.group(2)
        v = str(vals[key])
        return f"⟦{_KIND_OF[kind]}|{v}⟧" if kind else v

    return _SLOT.sub(rep, template)


def jstr(s: str) -> str:
    """Escape a value for a double-quoted C-family/JSON string literal (as written in source)."""
    return s.replace("\\", "\\\\").replace('"', '\\"')


# ------------------------------------------------------------------------------ documents
# ---- Python ---------------------------------------------------------------------------------


@doc("flask-blog/config.py")
def _d_flask_config(g: Gen):
    v = dict(secret=g.hex(64), mail_user=g.freemail(), mail_pw=g.app_pw(), admin=g.email(),
             db_pw=g.pw(sym="-_.!*~"), prod_ip=g.ip(), csrf=g.hex(32))
    return r"""
import os
from datetime import timedelta

basedir = os.path.abspath(os.path.dirname(__file__))


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "«K:secret»"
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    PERMANENT_SESSION_LIFETIME = timedelta(days=7)

    MAIL_SERVER = "smtp.gmail.com"
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "«E:mail_user»")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "«P:mail_pw»")
    MAIL_DEFAULT_SENDER = ("Flask Blog", "«E:mail_user»")
    ADMINS = ["«E:admin»"]

    POSTS_PER_PAGE = 10
    PASSWORD_RESET_TOKEN_EXPIRES = 3600
    SECURITY_PASSWORD_SALT = os.environ.get("SECURITY_PASSWORD_SALT")
    BCRYPT_LOG_ROUNDS = 12


class DevelopmentConfig(Config):
    DEBUG = True
    SQLALCHEMY_DATABASE_URI = "mysql+pymysql://blog:«P:db_pw»@localhost:3306/flask_blog"


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    BCRYPT_LOG_ROUNDS = 4


class ProductionConfig(Config):
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    # SQLALCHEMY_DATABASE_URI = "mysql+pymysql://blog:«P:db_pw»@«I:prod_ip»/flask_blog"
    SESSION_COOKIE_SECURE = True


config = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
    "default": DevelopmentConfig,
}
""", v


@doc("mysite/mysite/settings.py")
def _d_django_settings(g: Gen):
    v = dict(secret=g.django_key(), ip=g.ip(), db_pw=g.pw(), sg=g.sendgrid(),
             a1=g.email(), a2=g.email(), n1=g.fullname(), n2=g.fullname(), dom=g.domain())
    return r'''
"""
Django settings for mysite project.

Generated by 'django-admin startproject' using Django 4.2.7.

For more information on this file, see
https://docs.djangoproject.com/en/4.2/topics/settings/
"""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = '«K:secret»'

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = False

ALLOWED_HOSTS = ['«I:ip»', 'localhost', '127.0.0.1', '.«dom»']

INSTALLED_APPS = [
    'django.contrib.admin',
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'django.contrib.messages',
    'django.contrib.staticfiles',
    'polls.apps.PollsConfig',
]

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': 'mysite',
        'USER': 'mysite',
        'PASSWORD': '«P:db_pw»',
        'HOST': '«I:ip»',
        'PORT': '5432',
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {'NAME': 'django.contrib.auth.password_validation.UserAttributeSimilarityValidator'},
    {'NAME': 'django.contrib.auth.password_validation.MinimumLengthValidator'},
    {'NAME': 'django.contrib.auth.password_validation.CommonPasswordValidator'},
    {'NAME': 'django.contrib.auth.password_validation.NumericPasswordValidator'},
]

EMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'
EMAIL_HOST = 'smtp.sendgrid.net'
EMAIL_HOST_USER = 'apikey'
EMAIL_HOST_PASSWORD = '«K:sg»'
EMAIL_PORT = 587
EMAIL_USE_TLS = True

ADMINS = [('«n1»', '«E:a1»'), ('«n2»', '«E:a2»')]
MANAGERS = ADMINS

LANGUAGE_CODE = 'en-us'
TIME_ZONE = 'UTC'
USE_TZ = True
STATIC_URL = 'static/'
DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'
''', v


@doc("scripts/backup_to_s3.py")
def _d_backup_s3(g: Gen):
    v = dict(kid=g.aws_id(), ksec=g.aws_secret(), old_id=g.aws_id(), old_sec=g.aws_secret(),
             arn=g.kms_arn(), md5=g.md5(), bucket=f"{g.pick(_CO1)}-db-backups")
    return r'''
#!/usr/bin/env python3
"""Nightly dump of the app database to S3.  Run from cron on the db box."""
import datetime
import hashlib
import subprocess
import sys

import boto3

BUCKET = "«bucket»"
PREFIX = "pg/nightly/"

# TODO move these to ~/.aws/credentials
s3 = boto3.client(
    "s3",
    region_name="eu-west-1",
    aws_access_key_id="«K:kid»",
    aws_secret_access_key="«K:ksec»",
)
# old IAM user, rotated 2021-03
# s3 = boto3.client("s3", aws_access_key_id="«K:old_id»", aws_secret_access_key="«K:old_sec»")


def md5sum(path, chunk=1 << 20):
    h = hashlib.md5()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def main():
    stamp = datetime.date.today().isoformat()
    out = f"/var/backups/app-{stamp}.sql.gz"
    subprocess.run(f"pg_dump app | gzip > {out}", shell=True, check=True)
    digest = md5sum(out)
    s3.upload_file(
        out, BUCKET, PREFIX + out.rsplit("/", 1)[-1],
        ExtraArgs={
            "ServerSideEncryption": "aws:kms",
            "SSEKMSKeyId": "«arn»",
            "Metadata": {"md5": digest},
        },
    )
    # sanity check against the empty-dump checksum we kept seeing in March
    if digest == "«md5»":
        print("warning: dump looks empty", file=sys.stderr)


if __name__ == "__main__":
    main()
''', v


@doc("accounts/tests/test_auth.py")
def _d_test_auth(g: Gen):
    dom = g.domain()
    v = dict(e1=g.email(dom), e2=g.email(dom), e3=g.tag_email(), p1=g.pw(sym="!#%&*?-_.+="),
             p2=g.pw(sym="!#%&*?-_.+="), p3=g.pw(sym="!#%&*?-_.+="), bad=g.pw(sym="!#%&*?-_.+="),
             new=g.pw(sym="!#%&*?-_.+="), hashed=g.pbkdf2())
    return r"""
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

User = get_user_model()

TEST_USERS = [
    {"email": "«E:e1»", "password": "«P:p1»", "is_staff": True},
    {"email": "«E:e2»", "password": "«P:p2»"},
    {"email": "«E:e3»", "password": "«P:p3»"},
]

# what create_user stores for p1 with the default hasher, kept for the migration test
HASHED = "«hashed»"


@pytest.fixture
def user(db):
    return User.objects.create_user(email="«E:e1»", password="«P:p1»")


@pytest.mark.django_db
def test_login_success(client, user):
    resp = client.post(reverse("login"), {"username": "«E:e1»", "password": "«P:p1»"})
    assert resp.status_code == 302


@pytest.mark.django_db
def test_login_wrong_password(client, user):
    resp = client.post(reverse("login"), {"username": user.email, "password": "«P:bad»"})
    assert resp.status_code == 200
    assert "Please enter a correct" in resp.content.decode()


@pytest.mark.django_db
def test_password_is_hashed(user):
    assert user.password.startswith("pbkdf2_sha256$")
    assert user.check_password("«P:p1»")


@pytest.mark.django_db
def test_password_change(client, user):
    client.force_login(user)
    resp = client.post(reverse("password_change"), {
        "old_password": "«P:p1»",
        "new_password1": "«P:new»",
        "new_password2": "«P:new»",
    })
    assert resp.status_code == 302
    user.refresh_from_db()
    assert user.check_password("«P:new»")


def test_reset_password_url_name():
    assert reverse("password_reset").endswith("/password_reset/")
""", v


@doc("notebooks/01_quickstart.ipynb")
def _d_notebook(g: Gen):
    v = dict(okey=g.openai(), hf=g.hf(), png=g.png_b64(g.int(500, 700)), cid1=g.b64url(12),
             cid2=g.b64url(12), cid3=g.b64url(12))
    return r"""
{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {"id": "«cid1»"},
   "outputs": [],
   "source": [
    "!pip install -q openai==1.12.0 datasets matplotlib\n",
    "!huggingface-cli login --token «K:hf»"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 2,
   "metadata": {"id": "«cid2»"},
   "outputs": [],
   "source": [
    "import os\n",
    "from openai import OpenAI\n",
    "\n",
    "client = OpenAI(api_key=\"«K:okey»\")\n",
    "# client = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 5,
   "metadata": {"id": "«cid3»"},
   "outputs": [
    {
     "data": {
      "image/png": "«png»",
      "text/plain": ["<Figure size 640x480 with 1 Axes>"]
     },
     "metadata": {},
     "output_type": "display_data"
    }
   ],
   "source": [
    "import matplotlib.pyplot as plt\n",
    "plt.plot(losses)\n",
    "plt.show()"
   ]
  }
 ],
 "metadata": {
  "colab": {"provenance": []},
  "kernelspec": {"display_name": "Python 3", "name": "python3"},
  "language_info": {"name": "python", "version": "3.10.12"}
 },
 "nbformat": 4,
 "nbformat_minor": 0
}
""", v


@doc("bot/weather_bot.py")
def _d_telegram(g: Gen):
    v = dict(tg=g.telegram(), owm=g.hex(32), chat=g.digits(10), admin=g.digits(9))
    return r"""
import logging

import requests
from telegram import Update
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

TOKEN = "«K:tg»"
OWM_API_KEY = "«K:owm»"
ADMIN_CHAT_ID = -100«chat»
ALLOWED_USERS = {«admin»}

# quick test from the shell:
#   curl "https://api.telegram.org/bot«K:tg»/getUpdates"

logging.basicConfig(format="%(asctime)s - %(name)s - %(levelname)s - %(message)s", level=logging.INFO)


def fetch_weather(city: str) -> str:
    r = requests.get(
        "https://api.openweathermap.org/data/2.5/weather",
        params={"q": city, "appid": OWM_API_KEY, "units": "metric"},
        timeout=10,
    )
    r.raise_for_status()
    data = r.json()
    return f"{data['name']}: {data['main']['temp']:.1f}°C, {data['weather'][0]['description']}"


async def weather(update: Update, context: ContextTypes.DEFAULT_TYPE):
    if update.effective_user.id not in ALLOWED_USERS:
        return
    city = " ".join(context.args) or "Berlin"
    await update.message.reply_text(fetch_weather(city))


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE):
    await context.bot.send_message(chat_id=update.effective_chat.id, text="Hi! Try /weather Paris")


if __name__ == "__main__":
    app = ApplicationBuilder().token(TOKEN).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("weather", weather))
    app.run_polling()
""", v


@doc("discord-music-bot/main.py")
def _d_discord(g: Gen):
    v = dict(tok=g.discord(), old=g.discord(), guild=g.digits(18), chan=g.digits(19),
             yt1=g.yt(), yt2=g.yt())
    return r"""
import asyncio
import os

import discord
from discord.ext import commands
import yt_dlp

intents = discord.Intents.default()
intents.message_content = True
bot = commands.Bot(command_prefix="!", intents=intents)

GUILD_ID = «guild»
LOG_CHANNEL_ID = «chan»
DEFAULT_PLAYLIST = [
    "https://www.youtube.com/watch?v=«yt1»",
    "https://youtu.be/«yt2»",
]
YDL_OPTS = {"format": "bestaudio/best", "noplaylist": True, "quiet": True}


@bot.event
async def on_ready():
    print(f"Logged in as {bot.user} (ID: {bot.user.id})")
    channel = bot.get_channel(LOG_CHANNEL_ID)
    if channel:
        await channel.send("bot online")


@bot.command()
async def play(ctx, url: str = DEFAULT_PLAYLIST[0]):
    if not ctx.author.voice:
        return await ctx.send("join a voice channel first")
    vc = ctx.voice_client or await ctx.author.voice.channel.connect()
    with yt_dlp.YoutubeDL(YDL_OPTS) as ydl:
        info = ydl.extract_info(url, download=False)
    vc.play(discord.FFmpegPCMAudio(info["url"]))
    await ctx.send(f"Now playing: {info['title']}")


@bot.command()
async def stop(ctx):
    if ctx.voice_client:
        await ctx.voice_client.disconnect()


# token = os.getenv("DISCORD_TOKEN")
# bot.run("«K:old»")
bot.run("«K:tok»")
""", v


@doc("etl/db.py")
def _d_etl_db(g: Gen):
    raw = g.pw(sym="@!#%&*?") + g.pick(["@", "#", "%", "?"])
    v = dict(ip=g.ip(), pw=g.pw(sym="!#%&*?-_.+="), ip2=g.ip(), enc=quote(raw, safe=""),
             redis=g.rpw(20, 32), priv=g.priv_ip())
    return r'''
"""Database helpers for the nightly ETL jobs."""
import os
from contextlib import contextmanager
from urllib.parse import quote_plus

import psycopg2
import redis
from sqlalchemy import create_engine

WAREHOUSE = dict(
    host="«I:ip»",
    port=5432,
    dbname="warehouse",
    user="etl_user",
    password="«P:pw»",
    connect_timeout=10,
)

# reporting replica: password comes from the vault sidecar
REPORTING_URL = "postgresql+psycopg2://reporting:{}@reporting-db:5432/reporting".format(
    quote_plus(os.environ.get("REPORTING_DB_PASSWORD", ""))
)

# legacy MSSQL (sales) - read only account
SALES_URL = (
    "mssql+pyodbc://etl_ro:«P:enc»@«I:ip2»:1433/Sales"
    "?driver=ODBC+Driver+17+for+SQL+Server"
)

cache = redis.Redis(host="«priv»", port=6379, db=2, password="«P:redis»")


@contextmanager
def warehouse_conn():
    conn = psycopg2.connect(**WAREHOUSE)
    try:
        yield conn
        conn.commit()
    except Exception:
        conn.rollback()
        raise
    finally:
        conn.close()


def engine(name: str):
    url = {"reporting": REPORTING_URL, "sales": SALES_URL}[name]
    return create_engine(url, pool_pre_ping=True)
''', v


@doc("automation/instagram_login.py")
def _d_selenium(g: Gen):
    v = dict(mail=g.freemail(), pw=g.pw(sym="!#%&*?-_.+="), proxy=g.ip(), port=g.pick([3128, 8080, 8888]))
    return r"""
# -*- coding: utf-8 -*-
import time
import random

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.support.ui import WebDriverWait
from selenium.webdriver.support import expected_conditions as EC

EMAIL = "«E:mail»"
PASSWORD = "«P:pw»"
HASHTAGS = ["travel", "photography", "sunset"]

opts = Options()
opts.add_argument("--disable-notifications")
opts.add_argument("--lang=en")
# opts.add_argument("--proxy-server=http://«I:proxy»:«port»")
driver = webdriver.Chrome(options=opts)
wait = WebDriverWait(driver, 15)


def login():
    driver.get("https://www.instagram.com/accounts/login/")
    wait.until(EC.presence_of_element_located((By.NAME, "username")))
    driver.find_element(By.NAME, "username").send_keys(EMAIL)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.XPATH, "//button[@type='submit']").click()
    time.sleep(5)


def like_tag(tag, n=10):
    driver.get(f"https://www.instagram.com/explore/tags/{tag}/")
    time.sleep(3)
    posts = driver.find_elements(By.CSS_SELECTOR, "article a")[:n]
    for p in posts:
        p.click()
        time.sleep(random.uniform(2, 4))
        driver.find_element(By.XPATH, "//span[@aria-label='Like']").click()
        driver.back()


if __name__ == "__main__":
    login()
    for t in HASHTAGS:
        like_tag(t)
    driver.quit()
""", v


@doc("reports/send_weekly_report.py")
def _d_smtp(g: Gen):
    dom = g.domain()
    v = dict(sender=g.freemail(), app=g.app_pw(), to1=g.email(dom), to2=g.email(dom),
             cc=g.sub_email())
    return r"""
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

import pandas as pd

SMTP_HOST = "smtp.gmail.com"
SMTP_PORT = 465
SENDER = "«E:sender»"
APP_PASSWORD = "«P:app»"  # gmail app password, not the account one
RECIPIENTS = ["«E:to1»", "«E:to2»"]
CC = ["«E:cc»"]


def build_message(csv_path: Path) -> EmailMessage:
    df = pd.read_csv(csv_path)
    msg = EmailMessage()
    msg["Subject"] = f"Weekly KPIs ({len(df)} rows)"
    msg["From"] = SENDER
    msg["To"] = ", ".join(RECIPIENTS)
    msg["Cc"] = ", ".join(CC)
    msg.set_content(df.describe().to_string())
    msg.add_attachment(csv_path.read_bytes(), maintype="text", subtype="csv",
                       filename=csv_path.name)
    return msg


def send(msg: EmailMessage) -> None:
    ctx = ssl.create_default_context()
    with smtplib.SMTP_SSL(SMTP_HOST, SMTP_PORT, context=ctx) as server:
        server.login(SENDER, APP_PASSWORD)
        server.send_message(msg)


if __name__ == "__main__":
    send(build_message(Path("out/kpis.csv")))
""", v


@doc("cryptolib/tests/test_aead.py")
def _d_crypto_vectors(g: Gen):
    v = dict(nonce=g.hex(24), nonce2=g.hex(24), aad=g.hex(40), ct=g.hex(96), tag=g.hex(32),
             key2=bytes(range(32)).hex(), digest=g.sha256(), iv=g.hex(32), salt=g.hex(32), dk=g.hex(64),
             uuid=g.uuid())
    return r'''
"""Known-answer tests for the AEAD wrappers.

Vectors marked RFC are from RFC 8439 section 2.8.2; the rest were generated with
pyca/cryptography 41.0.7 and are only used to detect regressions.
"""
import binascii

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

from cryptolib.aead import seal, open_

unhex = binascii.unhexlify

# RFC 8439 key: 80 81 82 ... 9f
RFC_KEY = bytes(range(0x80, 0xA0))
RFC_NONCE = unhex("070000004041424344454647")

VECTORS = [
    # (key, nonce, aad, plaintext, ciphertext+tag)
    ("00" * 32, "«nonce»", "", b"", "«tag»"),
    ("«key2»", "«nonce2»", "«aad»", b"attack at dawn!!", "«ct»"),
]

PBKDF2_CASE = {
    "iterations": 100_000,
    "salt": "«salt»",
    "derived": "«dk»",
}


@pytest.mark.parametrize("key,nonce,aad,pt,expected", VECTORS)
def test_aesgcm_known_answer(key, nonce, aad, pt, expected):
    out = AESGCM(unhex(key)).encrypt(unhex(nonce), pt, unhex(aad) or None)
    assert out.hex() == expected


def test_roundtrip_chacha():
    box = seal(RFC_KEY, b"hello", nonce=RFC_NONCE)
    assert open_(RFC_KEY, box) == b"hello"


def test_iv_is_not_reused(monkeypatch):
    monkeypatch.setattr("os.urandom", lambda n: unhex("«iv»")[:n])
    with pytest.raises(ValueError):
        seal(RFC_KEY, b"x", nonce=unhex("«iv»")[:12])
        seal(RFC_KEY, b"y", nonce=unhex("«iv»")[:12])


def test_file_digest(tmp_path):
    p = tmp_path / "blob.bin"
    p.write_bytes(b"\x00" * 1024)
    # digest recorded when the fixture format was frozen (v0.3)
    assert sha256_file(p) == "«digest»"


def test_request_id_is_uuid():
    assert len("«uuid»") == 36
''', v


@doc("setup.py")
def _d_setup_py(g: Gen):
    n1, l1 = g.first(), g.last()
    v = dict(name=f"{n1.capitalize()} {l1.capitalize()}", mail=g.email(local=f"{n1}.{l1}"),
             maint=g.gh_noreply(), pkg=g.pick(["tinyjsonl", "fastgeo", "pyratelimit", "csvkit2"]),
             sha=g.sha1())
    return r"""
#!/usr/bin/env python
import io
import os
import re

from setuptools import find_packages, setup

here = os.path.abspath(os.path.dirname(__file__))

with io.open(os.path.join(here, "README.md"), encoding="utf-8") as f:
    long_description = f.read()

with io.open(os.path.join(here, "«pkg»", "__init__.py"), encoding="utf-8") as f:
    version = re.search(r'__version__ = "(.*?)"', f.read()).group(1)

setup(
    name="«pkg»",
    version=version,
    description="Small, dependency-free helpers",
    long_description=long_description,
    long_description_content_type="text/markdown",
    author="«name»",
    author_email="«E:mail»",
    maintainer="«name»",
    maintainer_email="«E:maint»",
    url="https://github.com/«pkg»/«pkg»",
    download_url="https://github.com/«pkg»/«pkg»/archive/«sha».tar.gz",
    license="MIT",
    packages=find_packages(exclude=("tests", "docs")),
    python_requires=">=3.8",
    install_requires=["requests>=2.31.0", "python-dateutil>=2.8.2"],
    extras_require={"dev": ["pytest>=7.4", "pytest-cov", "black==23.12.1"]},
    classifiers=[
        "Development Status :: 4 - Beta",
        "License :: OSI Approved :: MIT License",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.11",
        "Operating System :: OS Independent",
    ],
    project_urls={
        "Bug Tracker": "https://github.com/«pkg»/«pkg»/issues",
        "Source": "https://github.com/«pkg»/«pkg»",
    },
)
""", v


@doc("dags/sync_crm_to_warehouse.py")
def _d_airflow(g: Gen):
    v = dict(ip=g.ip(), pw=g.pw(sym="!#%&*?-_.+="), hook=g.slack_path(), mail=g.role_email(),
             mail2=g.email())
    return r"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.models import Connection, Variable
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator
from airflow.utils.session import create_session

default_args = {
    "owner": "data-eng",
    "email": ["«E:mail»", "«E:mail2»"],
    "email_on_failure": True,
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
}

CRM_CONN = Connection(
    conn_id="crm_mysql",
    conn_type="mysql",
    host="«I:ip»",
    login="airflow_ro",
    password="«P:pw»",
    schema="crm",
    port=3306,
)


def ensure_conn():
    with create_session() as s:
        if not s.query(Connection).filter(Connection.conn_id == CRM_CONN.conn_id).first():
            s.add(CRM_CONN)


def extract(**ctx):
    batch = Variable.get("crm_batch_size", default_var=5000)
    hook = PostgresHook(postgres_conn_id="warehouse")
    hook.run("CALL staging.load_crm(%s)", parameters=(int(batch),))


with DAG(
    dag_id="sync_crm_to_warehouse",
    start_date=datetime(2023, 1, 1),
    schedule="0 3 * * *",
    catchup=False,
    default_args=default_args,
) as dag:
    setup = PythonOperator(task_id="ensure_conn", python_callable=ensure_conn)
    load = PythonOperator(task_id="extract", python_callable=extract)
    notify = SlackWebhookOperator(
        task_id="notify",
        http_conn_id="slack_default",
        webhook_token="«K:hook»",
        message="CRM sync finished for {{ ds }}",
    )
    setup >> load >> notify
""", v


@doc("training/finetune_lora.py")
def _d_hf_train(g: Gen):
    v = dict(hf=g.hf(), wandb=g.hex(40), rev=g.sha1(), ds_rev=g.sha1())
    return r"""
import os

import torch
import wandb
from datasets import load_dataset
from huggingface_hub import login
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments

login(token="«K:hf»")
wandb.login(key="«K:wandb»")

MODEL = "mistralai/Mistral-7B-v0.1"
MODEL_REVISION = "«rev»"  # pinned commit
MAX_TOKENS = 2048

tokenizer = AutoTokenizer.from_pretrained(MODEL, revision=MODEL_REVISION)
tokenizer.pad_token = tokenizer.eos_token
tokenizer.padding_side = "right"

ds = load_dataset("tatsu-lab/alpaca", split="train", revision="«ds_rev»")


def tokenize(batch):
    text = [f"### Instruction:\n{i}\n\n### Response:\n{o}" for i, o in zip(batch["instruction"], batch["output"])]
    return tokenizer(text, truncation=True, max_length=MAX_TOKENS, padding="max_length")


ds = ds.map(tokenize, batched=True, remove_columns=ds.column_names)

model = AutoModelForCausalLM.from_pretrained(MODEL, revision=MODEL_REVISION, torch_dtype=torch.bfloat16)
model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"))

args = TrainingArguments(
    output_dir="out/lora",
    per_device_train_batch_size=4,
    gradient_accumulation_steps=8,
    learning_rate=2e-4,
    num_train_epochs=1,
    logging_steps=10,
    report_to="wandb",
    push_to_hub=True,
    hub_token=os.environ.get("HF_TOKEN"),
)
Trainer(model=model, args=args, train_dataset=ds).train()
""", v


@doc("backend/tests/conftest.py")
def _d_conftest(g: Gen):
    v = dict(pg=g.pw(sym="-_.!*"), redis=g.rpw(16, 24), djkey=g.hex(50), mail=g.email(),
             su=g.pw(sym="!#%&*?-_.+="), jwt=g.jwt({"sub": "1", "role": "admin", "iat": 1700000000}))
    return r"""
import os

import pytest
from testcontainers.postgres import PostgresContainer
from testcontainers.redis import RedisContainer

POSTGRES_PASSWORD = "«P:pg»"
REDIS_URL = "redis://:«P:redis»@localhost:6379/0"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DJANGO_SECRET_KEY", "«K:djkey»")


@pytest.fixture(scope="session")
def postgres():
    with PostgresContainer("postgres:16-alpine", user="app", password="«P:pg»", dbname="app_test") as pg:
        os.environ["DATABASE_URL"] = pg.get_connection_url()
        yield pg


@pytest.fixture(scope="session")
def redis_container():
    with RedisContainer("redis:7.2").with_command("redis-server --requirepass «P:redis»") as r:
        yield r


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "«E:mail»", "«P:su»")


@pytest.fixture
def auth_headers():
    # signed with the test SECRET_KEY above; expires far in the future
    return {"HTTP_AUTHORIZATION": "Bearer «K:jwt»"}


@pytest.fixture
def anon_password():
    return os.environ.get("TEST_ANON_PASSWORD")  # None unless CI sets it
""", v


# ---- JavaScript / TypeScript ----------------------------------------------------------------


@doc("server/server.js")
def _d_express(g: Gen):
    v = dict(mongo=g.pw(sym="-_.!*~"), cluster=g.lowan(5), jwt=g.b64url(48), mail=g.freemail(),
             mpw=g.app_pw())
    return r"""
const express = require('express');
const mongoose = require('mongoose');
const jwt = require('jsonwebtoken');
const bcrypt = require('bcryptjs');
const nodemailer = require('nodemailer');
const cors = require('cors');

const app = express();
app.use(cors());
app.use(express.json());

const PORT = process.env.PORT || 5000;
const JWT_SECRET = process.env.JWT_SECRET || '«K:jwt»';

mongoose
  .connect('mongodb+srv://shopadmin:«P:mongo»@cluster0.«cluster».mongodb.net/shop?retryWrites=true&w=majority')
  .then(() => console.log('MongoDB connected'))
  .catch((err) => console.error(err));

const transporter = nodemailer.createTransport({
  service: 'gmail',
  auth: {
    user: '«E:mail»',
    pass: '«P:mpw»',
  },
});

const User = mongoose.model('User', new mongoose.Schema({
  email: { type: String, unique: true },
  password: String,
  resetPasswordToken: String,
  resetPasswordExpires: Date,
}));

app.post('/api/register', async (req, res) => {
  const { email, password } = req.body;
  const hashed = await bcrypt.hash(password, 10);
  const user = await User.create({ email, password: hashed });
  await transporter.sendMail({ from: '«E:mail»', to: email, subject: 'Welcome!', text: 'Thanks for signing up' });
  res.status(201).json({ id: user._id });
});

app.post('/api/login', async (req, res) => {
  const { email, password } = req.body;
  const user = await User.findOne({ email });
  if (!user || !(await bcrypt.compare(password, user.password))) {
    return res.status(401).json({ msg: 'Invalid credentials' });
  }
  const token = jwt.sign({ id: user._id }, JWT_SECRET, { expiresIn: '7d' });
  res.json({ token });
});

app.listen(PORT, '0.0.0.0', () => console.log(`Server running on port ${PORT}`));
""", v


@doc("config/default.json")
def _d_node_config(g: Gen):
    dom = g.domain()
    v = dict(pw=g.pw(sym="!#%&*?-_.+="), jwt=g.hex(64), sk=g.sk_live(), pk=g.pk_live(),
             frm=g.role_email(dom), a1=g.email(dom), ip=g.ip(), uuid=g.uuid())
    return r"""
{
  "app": {
    "name": "orders-api",
    "port": 8080,
    "instanceId": "«uuid»"
  },
  "db": {
    "client": "pg",
    "host": "127.0.0.1",
    "port": 5432,
    "user": "orders",
    "password": "«P:pw»",
    "database": "orders",
    "pool": { "min": 2, "max": 10 }
  },
  "redis": {
    "host": "«I:ip»",
    "port": 6379
  },
  "auth": {
    "jwtSecret": "«K:jwt»",
    "jwtExpiresIn": "12h",
    "passwordMinLength": 10
  },
  "stripe": {
    "publishableKey": "«pk»",
    "secretKey": "«K:sk»",
    "currency": "eur"
  },
  "mail": {
    "from": "Orders <«E:frm»>",
    "alerts": ["«E:a1»"]
  },
  "log": { "level": "info" }
}
""", v


@doc("web/src/lib/firebase.ts")
def _d_firebase(g: Gen):
    proj = f"{g.pick(_CO1)}-{g.pick(['app', 'web', 'chat'])}-{g.lowan(5)}"
    v = dict(key=g.aiza(), proj=proj, sender=g.digits(12), appid=g.hex(22), meas=g.upan(10),
             site=g.recaptcha())
    return r"""
// Import the functions you need from the SDKs you need
import { initializeApp, getApps } from 'firebase/app';
import { getAuth, GoogleAuthProvider } from 'firebase/auth';
import { getFirestore } from 'firebase/firestore';
import { getStorage } from 'firebase/storage';
import { initializeAppCheck, ReCaptchaV3Provider } from 'firebase/app-check';

// Your web app's Firebase configuration
// For Firebase JS SDK v7.20.0 and later, measurementId is optional
const firebaseConfig = {
  apiKey: '«K:key»',
  authDomain: '«proj».firebaseapp.com',
  projectId: '«proj»',
  storageBucket: '«proj».appspot.com',
  messagingSenderId: '«sender»',
  appId: '1:«sender»:web:«appid»',
  measurementId: 'G-«meas»',
};

export const app = getApps().length ? getApps()[0] : initializeApp(firebaseConfig);

if (typeof window !== 'undefined') {
  initializeAppCheck(app, {
    provider: new ReCaptchaV3Provider('«site»'),
    isTokenAutoRefreshEnabled: true,
  });
}

export const auth = getAuth(app);
export const googleProvider = new GoogleAuthProvider();
export const db = getFirestore(app);
export const storage = getStorage(app);
""", v


@doc("package.json")
def _d_package_json(g: Gen):
    dom = g.domain()
    n1, l1, n2, l2 = g.first(), g.last(), g.first(), g.last()
    v = dict(a=f"{n1.capitalize()} {l1.capitalize()}", am=g.email(dom, f"{n1}.{l1}"),
             c1=f"{n2.capitalize()} {l2.capitalize()}", c1m=g.freemail(), c2m=g.gh_noreply(),
             bugs=g.role_email(dom), pkg=g.pick(["react-tiny-modal", "vue-smart-table", "svelte-toasts"]))
    return r"""
{
  "name": "«pkg»",
  "version": "2.3.1",
  "description": "Accessible, zero-dependency UI component",
  "main": "dist/index.cjs.js",
  "module": "dist/index.esm.js",
  "types": "dist/index.d.ts",
  "files": ["dist"],
  "scripts": {
    "build": "rollup -c",
    "test": "vitest run",
    "lint": "eslint src --ext .ts,.tsx",
    "prepublishOnly": "npm run build"
  },
  "repository": {
    "type": "git",
    "url": "git+ssh://git@github.com/«pkg»/«pkg».git"
  },
  "keywords": ["modal", "dialog", "a11y"],
  "author": "«a» <«E:am»>",
  "contributors": [
    "«c1» <«E:c1m»>",
    { "name": "dependabot-fixer", "email": "«E:c2m»" }
  ],
  "bugs": {
    "url": "https://github.com/«pkg»/«pkg»/issues",
    "email": "«E:bugs»"
  },
  "license": "MIT",
  "peerDependencies": {
    "react": ">=17.0.0"
  },
  "devDependencies": {
    "@rollup/plugin-typescript": "^11.1.5",
    "@testing-library/react": "^14.1.2",
    "@types/react": "^18.2.45",
    "eslint": "^8.56.0",
    "rollup": "^4.9.1",
    "typescript": "~5.3.3",
    "vitest": "^1.1.0"
  },
  "engines": { "node": ">=18" }
}
""", v


@doc("package-lock.json")
def _d_package_lock(g: Gen):
    v = {f"i{i}": g.integrity() for i in range(7)}
    v.update(sha=g.sha1())
    return r"""
{
  "name": "dashboard",
  "version": "0.9.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "dashboard",
      "version": "0.9.0",
      "dependencies": {
        "axios": "^1.6.2",
        "chart.js": "^4.4.1",
        "my-fork-of-date-fns": "github:dashboard-team/date-fns#«sha»"
      }
    },
    "node_modules/@babel/code-frame": {
      "version": "7.23.5",
      "resolved": "https://registry.npmjs.org/@babel/code-frame/-/code-frame-7.23.5.tgz",
      "integrity": "«i0»",
      "dev": true
    },
    "node_modules/@kurkle/color": {
      "version": "0.3.2",
      "resolved": "https://registry.npmjs.org/@kurkle/color/-/color-0.3.2.tgz",
      "integrity": "«i1»"
    },
    "node_modules/asynckit": {
      "version": "0.4.0",
      "resolved": "https://registry.npmjs.org/asynckit/-/asynckit-0.4.0.tgz",
      "integrity": "«i2»"
    },
    "node_modules/axios": {
      "version": "1.6.2",
      "resolved": "https://registry.npmjs.org/axios/-/axios-1.6.2.tgz",
      "integrity": "«i3»",
      "dependencies": {
        "follow-redirects": "^1.15.0",
        "form-data": "^4.0.0",
        "proxy-from-env": "^1.1.0"
      }
    },
    "node_modules/chart.js": {
      "version": "4.4.1",
      "resolved": "https://registry.npmjs.org/chart.js/-/chart.js-4.4.1.tgz",
      "integrity": "«i4»",
      "engines": { "pnpm": ">=8" }
    },
    "node_modules/follow-redirects": {
      "version": "1.15.3",
      "resolved": "https://registry.npmjs.org/follow-redirects/-/follow-redirects-1.15.3.tgz",
      "integrity": "«i5»",
      "funding": [{ "type": "individual", "url": "https://github.com/sponsors/RubenVerborgh" }]
    },
    "node_modules/my-fork-of-date-fns": {
      "version": "2.30.0",
      "resolved": "git+ssh://git@github.com/dashboard-team/date-fns.git#«sha»",
      "integrity": "«i6»"
    }
  }
}
""", v


@doc("src/api/payments.ts")
def _d_stripe_ts(g: Gen):
    v = dict(sk=g.sk_live(), wh=g.whsec(), pk=g.pk_live(), rk=g.sk_live("rk_live_"))
    return r"""
import Stripe from 'stripe';
import type { Request, Response } from 'express';
import { randomUUID } from 'crypto';

// NOTE: publishable key lives in the frontend: «pk»
const stripe = new Stripe('«K:sk»', {
  apiVersion: '2023-10-16',
  typescript: true,
});

// restricted key used by the reporting cron only
export const reportingStripe = new Stripe('«K:rk»', { apiVersion: '2023-10-16' });

const endpointSecret = '«K:wh»';

export async function createPaymentIntent(req: Request, res: Response) {
  const { amount, currency = 'usd', customerId } = req.body;
  const intent = await stripe.paymentIntents.create(
    { amount, currency, customer: customerId, automatic_payment_methods: { enabled: true } },
    { idempotencyKey: randomUUID() },
  );
  res.json({ clientSecret: intent.client_secret });
}

export async function webhook(req: Request, res: Response) {
  const sig = req.headers['stripe-signature'] as string;
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(req.body, sig, endpointSecret);
  } catch (err) {
    return res.status(400).send(`Webhook Error: ${(err as Error).message}`);
  }
  switch (event.type) {
    case 'payment_intent.succeeded':
      console.log('PaymentIntent was successful!');
      break;
    case 'charge.refunded':
      console.log('refund', event.data.object.id);
      break;
    default:
      console.log(`Unhandled event type ${event.type}`);
  }
  res.json({ received: true });
}
""", v


@doc("cypress/e2e/login.cy.js")
def _d_cypress(g: Gen):
    v = dict(e1=g.tag_email(), p1=g.pw(sym="!#%&*?-_.+="), e2=g.tag_email(), p2=g.pw(sym="!#%&*?-_.+="),
             bad=g.pw(sym="!#%&*?-_.+="))
    return r"""
/// <reference types="cypress" />

const users = {
  admin: { email: '«E:e1»', password: '«P:p1»' },
  editor: { email: '«E:e2»', password: '«P:p2»' },
};

describe('Login', () => {
  beforeEach(() => {
    cy.visit('/login');
  });

  it('shows the form', () => {
    cy.get('input[type="email"]').should('be.visible');
    cy.get('input[type="password"]').should('have.attr', 'autocomplete', 'current-password');
    cy.contains('Forgot password?').should('have.attr', 'href', '/reset-password');
  });

  it('logs in as admin', () => {
    cy.get('#email').type('«E:e1»');
    cy.get('#password').type('«P:p1»', { log: false });
    cy.get('button[type=submit]').click();
    cy.url().should('include', '/dashboard');
    cy.getCookie('session').should('exist');
  });

  it('logs in as editor', () => {
    cy.login(users.editor.email, users.editor.password);
    cy.contains('Drafts');
  });

  it('rejects a wrong password', () => {
    cy.get('#email').type(users.admin.email);
    cy.get('#password').type('«P:bad»');
    cy.get('button[type=submit]').click();
    cy.contains('Invalid email or password');
  });

  it('uses the password from env in CI', () => {
    cy.get('#email').type(Cypress.env('CI_USER'));
    cy.get('#password').type(Cypress.env('CI_PASSWORD'), { log: false });
  });
});
""", v


@doc("knexfile.js")
def _d_knexfile(g: Gen):
    v = dict(dev=g.pw(sym="!#%&*?-_.+="), stg_ip=g.ip(), stg=g.rpw(16, 24), test=g.pw(sym="!#%&*?-_.+="),
             ro_ip=g.ip())
    return r"""
// Update with your config settings.
require('dotenv').config();

/**
 * @type { Object.<string, import("knex").Knex.Config> }
 */
module.exports = {
  development: {
    client: 'postgresql',
    connection: {
      host: '127.0.0.1',
      database: 'inventory_dev',
      user: 'postgres',
      password: '«P:dev»',
    },
    migrations: { directory: './db/migrations' },
    seeds: { directory: './db/seeds' },
  },

  test: {
    client: 'postgresql',
    connection: 'postgres://postgres:«P:test»@localhost:5432/inventory_test',
    pool: { min: 1, max: 2 },
  },

  staging: {
    client: 'postgresql',
    connection: {
      host: '«I:stg_ip»',
      database: 'inventory',
      user: 'inventory_app',
      password: '«P:stg»',
      ssl: { rejectUnauthorized: false },
    },
    pool: { min: 2, max: 10 },
    migrations: { tableName: 'knex_migrations' },
  },

  // read replica used by the reporting service
  replica: {
    client: 'postgresql',
    connection: `postgres://reporting:${process.env.REPLICA_PASSWORD}@«I:ro_ip»:5432/inventory`,
  },

  production: {
    client: 'postgresql',
    connection: process.env.DATABASE_URL,
    pool: { min: 2, max: 20 },
    migrations: { tableName: 'knex_migrations' },
  },
};
""", v


@doc("src/services/weatherApi.ts")
def _d_axios(g: Gen):
    v = dict(ip=g.ip(), key=g.hex(32), rapid=g.alnum(50), ip6=g.ip6())
    return r"""
import axios, { AxiosError, AxiosInstance } from 'axios';
import { getAccessToken } from '../auth/session';

export const API_KEY_HEADER = 'x-api-key';
const INTERNAL_BASE = 'http://«I:ip»:8080/api/v1';
// the v6 endpoint is only reachable from the office network
const INTERNAL_BASE_V6 = 'http://[«I:ip6»]:8080/api/v1';

const client: AxiosInstance = axios.create({
  baseURL: process.env.NODE_ENV === 'production' ? INTERNAL_BASE : 'http://localhost:8080/api/v1',
  timeout: 8000,
  headers: {
    'Content-Type': 'application/json',
    [API_KEY_HEADER]: '«K:key»',
  },
});

client.interceptors.request.use(async (config) => {
  const token = await getAccessToken();
  if (token) {
    config.headers.Authorization = `Bearer ${token}`;
  }
  return config;
});

export interface Forecast {
  city: string;
  tempC: number;
  summary: string;
}

export async function getForecast(city: string): Promise<Forecast[]> {
  try {
    const { data } = await axios.get('https://weatherapi-com.p.rapidapi.com/forecast.json', {
      params: { q: city, days: 3 },
      headers: {
        'X-RapidAPI-Key': '«K:rapid»',
        'X-RapidAPI-Host': 'weatherapi-com.p.rapidapi.com',
      },
    });
    return data.forecast.forecastday.map((d: any) => ({ city, tempC: d.day.avgtemp_c, summary: d.day.condition.text }));
  } catch (e) {
    const err = e as AxiosError;
    console.error('forecast failed', err.response?.status);
    return [];
  }
}

export default client;
""", v


@doc("apps/web/.env.local")
def _d_env_local(g: Gen):
    ref = g.lowan(20)
    v = dict(pw=g.rpw(16, 28), nas=g.b64bytes(32), ghid="Ov23li" + g.alnum(14), ghsec=g.hex(40),
             srk=g.jwt({"iss": "supabase", "ref": ref, "role": "service_role", "iat": 1706000000}),
             ref=ref, resend=g.resend(), frm=g.role_email(), gid=g.oauth_client_id(), gsec=g.gocspx())
    return r"""
# Created by Vercel CLI
NEXT_PUBLIC_APP_URL=http://localhost:3000
NEXT_PUBLIC_SUPABASE_URL=https://«ref».supabase.co

DATABASE_URL="postgresql://postgres.«ref»:«P:pw»@aws-0-eu-central-1.pooler.supabase.com:6543/postgres?pgbouncer=true"
DIRECT_URL="postgresql://postgres.«ref»:«P:pw»@aws-0-eu-central-1.pooler.supabase.com:5432/postgres"
SUPABASE_SERVICE_ROLE_KEY=«K:srk»

NEXTAUTH_URL=http://localhost:3000
NEXTAUTH_SECRET=«K:nas»

# GitHub OAuth app "acme-dev"
GITHUB_ID=«ghid»
GITHUB_SECRET=«K:ghsec»

GOOGLE_CLIENT_ID=«gid»
GOOGLE_CLIENT_SECRET=«K:gsec»

RESEND_API_KEY=«K:resend»
EMAIL_FROM="Acme <«E:frm»>"

# Feature flags
NEXT_PUBLIC_ENABLE_SIGNUP=true
NEXT_PUBLIC_MAX_UPLOAD_MB=25
""", v


@doc("sentry.client.config.js")
def _d_sentry(g: Gen):
    v = dict(dsn=g.sentry_dsn(), tok=g.sentry_user(), sha=g.sha1(), org=g.pick(_CO1) + "-inc")
    return r"""
// This file configures the initialization of Sentry on the client.
// The config you add here will be used whenever a users loads a page in their browser.
// https://docs.sentry.io/platforms/javascript/guides/nextjs/

import * as Sentry from '@sentry/nextjs';

const SENTRY_DSN = process.env.SENTRY_DSN || process.env.NEXT_PUBLIC_SENTRY_DSN;

Sentry.init({
  dsn: SENTRY_DSN || '«dsn»',
  // Adjust this value in production, or use tracesSampler for greater control
  tracesSampleRate: 0.2,
  release: 'web@«sha»',
  environment: process.env.NEXT_PUBLIC_VERCEL_ENV || 'development',
  replaysOnErrorSampleRate: 1.0,
  replaysSessionSampleRate: 0.1,
  integrations: [
    Sentry.replayIntegration({ maskAllText: true, blockAllMedia: true }),
  ],
  beforeSend(event) {
    if (event.request?.headers) {
      delete event.request.headers.Authorization;
      delete event.request.headers.Cookie;
    }
    return event;
  },
});

// used by `sentry-cli sourcemaps upload` in scripts/upload-sourcemaps.js
export const sentryWebpackPluginOptions = {
  org: '«org»',
  project: 'web',
  authToken: '«K:tok»',
  silent: true,
};
""", v


@doc("src/components/LoginForm.tsx")
def _d_login_form(g: Gen):
    v = dict(cid=g.oauth_client_id(), site=g.recaptcha(), svg=g.int(10, 99))
    return r"""
import { useState, FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import ReCAPTCHA from 'react-google-recaptcha';
import { GoogleOAuthProvider, GoogleLogin } from '@react-oauth/google';
import { login } from '../api/auth';

const GOOGLE_CLIENT_ID = '«cid»';
const RECAPTCHA_SITE_KEY = '«site»';
const MIN_PASSWORD_LENGTH = 8;

export default function LoginForm() {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [passwordError, setPasswordError] = useState<string | null>(null);
  const [captchaToken, setCaptchaToken] = useState<string | null>(null);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (password.length < MIN_PASSWORD_LENGTH) {
      setPasswordError(t('auth.passwordTooShort', { min: MIN_PASSWORD_LENGTH }));
      return;
    }
    await login({ email, password, captchaToken });
  }

  return (
    <GoogleOAuthProvider clientId={GOOGLE_CLIENT_ID}>
      <form onSubmit={onSubmit} className="login-form">
        <label htmlFor="email">{t('auth.email')}</label>
        <input id="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor="password">{t('auth.password')}</label>
        <input
          id="password"
          type={showPassword ? 'text' : 'password'}
          placeholder="••••••••"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="button" onClick={() => setShowPassword(!showPassword)} aria-label="toggle">
          <svg width="20" height="20" viewBox="0 0 24 24"><path d="M12 4.5C7 4.5 2.73 7.61 1 12c1.73 4.39 6 7.5 11 7.5s9.27-3.11 11-7.5c-1.73-4.39-6-7.5-11-7.5z" opacity=".«svg»" /></svg>
        </button>
        {passwordError && <p className="error">{passwordError}</p>}
        <ReCAPTCHA sitekey={RECAPTCHA_SITE_KEY} onChange={setCaptchaToken} />
        <button type="submit">{t('auth.signIn')}</button>
        <a href="/forgot-password">{t('auth.forgotPassword')}</a>
        <GoogleLogin onSuccess={(r) => login({ credential: r.credential })} />
      </form>
    </GoogleOAuthProvider>
  );
}
""", v


# ---- Java / Kotlin --------------------------------------------------------------------------


@doc("src/com/shop/dao/JdbcDemo.java")
def _d_jdbc_java6(g: Gen):
    v = dict(ip=g.ip(), pw=g.pw(sym="!#%&*?-_.+="), ora_ip=g.ip(), ora=g.pw(sym="", style=g.pick([1, 3, 9])))
    return r"""
package com.shop.dao;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Simple JDBC access for the inventory screen.
 * @author tomek
 * @version 1.2
 */
public class JdbcDemo {

    private static final String URL = "jdbc:mysql://«I:ip»:3306/inventory?useSSL=false&characterEncoding=utf8";
    private static final String USER = "root";
    private static final String PASS = "«P:pw»";

    // legacy ERP, still on Oracle 11g
    private static final String ORA_URL = "jdbc:oracle:thin:scott/«P:ora»@«I:ora_ip»:1521:ORCL";

    static {
        try {
            Class.forName("com.mysql.jdbc.Driver");
            Class.forName("oracle.jdbc.driver.OracleDriver");
        } catch (ClassNotFoundException e) {
            e.printStackTrace();
        }
    }

    public List<String> findProductNames(int categoryId) throws SQLException {
        List<String> names = new ArrayList<String>();
        Connection conn = null;
        PreparedStatement ps = null;
        ResultSet rs = null;
        try {
            conn = DriverManager.getConnection(URL, USER, PASS);
            ps = conn.prepareStatement("SELECT name FROM product WHERE category_id = ?");
            ps.setInt(1, categoryId);
            rs = ps.executeQuery();
            while (rs.next()) {
                names.add(rs.getString("name"));
            }
        } finally {
            if (rs != null) try { rs.close(); } catch (SQLException ignore) {}
            if (ps != null) try { ps.close(); } catch (SQLException ignore) {}
            if (conn != null) try { conn.close(); } catch (SQLException ignore) {}
        }
        return names;
    }

    public Connection erp() throws SQLException {
        return DriverManager.getConnection(ORA_URL);
    }
}
""", v


@doc("src/main/resources/application.properties")
def _d_spring_props(g: Gen):
    v = dict(dbpw=g.pw(sym="!#%&*?-_.+="), mail=g.freemail(), mpw=g.app_pw(), jwt=g.b64bytes(64),
             cid=g.oauth_client_id(), csec=g.gocspx(), ip=g.ip())
    return r"""
# ===============================
# = DATA SOURCE
# ===============================
spring.datasource.url=jdbc:postgresql://«I:ip»:5432/library
spring.datasource.username=library
spring.datasource.password=«P:dbpw»
spring.datasource.hikari.maximum-pool-size=10

# ===============================
# = JPA / HIBERNATE
# ===============================
spring.jpa.hibernate.ddl-auto=update
spring.jpa.show-sql=false
spring.jpa.properties.hibernate.dialect=org.hibernate.dialect.PostgreSQLDialect

# ===============================
# = MAIL
# ===============================
spring.mail.host=smtp.gmail.com
spring.mail.port=587
spring.mail.username=«E:mail»
spring.mail.password=«P:mpw»
spring.mail.properties.mail.smtp.auth=true
spring.mail.properties.mail.smtp.starttls.enable=true

# ===============================
# = SECURITY
# ===============================
app.jwt.secret=«K:jwt»
app.jwt.expiration-ms=86400000
app.security.password-reset-url=/auth/reset-password
app.security.password-min-length=8
spring.security.oauth2.client.registration.google.client-id=«cid»
spring.security.oauth2.client.registration.google.client-secret=«K:csec»
spring.security.oauth2.client.registration.google.scope=openid,profile,email

server.port=8081
management.endpoints.web.exposure.include=health,info
logging.level.org.springframework.security=INFO
""", v


@doc("src/main/resources/application.yml")
def _d_spring_yml(g: Gen):
    v = dict(dev=g.pw(sym="-_.!*"), prod=g.rpw(18, 26), ip=g.ip(), okta=g.okta(), dom=g.domain(),
             rabbit=g.pw(sym="-_.!*"))
    return r"""
spring:
  application:
    name: billing-service
  profiles:
    active: ${SPRING_PROFILES_ACTIVE:dev}
  datasource:
    url: jdbc:mysql://localhost:3306/billing?serverTimezone=UTC
    username: billing
    password: ${DB_PASSWORD}
  jpa:
    open-in-view: false

---
spring:
  config:
    activate:
      on-profile: dev
  datasource:
    url: jdbc:mysql://localhost:3306/billing_dev
    username: root
    password: "«P:dev»"
  rabbitmq:
    host: localhost
    username: guest
    password: "«P:rabbit»"

---
spring:
  config:
    activate:
      on-profile: prod
  datasource:
    url: jdbc:mysql://«I:ip»:3306/billing?useSSL=true
    username: billing_app
    password: '«P:prod»'
  data:
    redis:
      host: «I:ip»
      password: ${REDIS_PASSWORD:}

okta:
  oauth2:
    issuer: https://«dom».okta.com/oauth2/default
    client-id: ${OKTA_CLIENT_ID}
  management:
    api-token: «K:okta»

management:
  endpoint:
    health:
      show-details: when_authorized
""", v


@doc("app/src/main/java/com/acme/notify/MailService.kt")
def _d_kotlin_mail(g: Gen):
    v = dict(user=g.email(), pw=g.pw(sym="!#%&*?-_.+="), sup=g.role_email())
    return r"""
package com.acme.notify

import java.util.Properties
import javax.mail.Authenticator
import javax.mail.Message
import javax.mail.PasswordAuthentication
import javax.mail.Session
import javax.mail.Transport
import javax.mail.internet.InternetAddress
import javax.mail.internet.MimeMessage
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

object MailService {
    private const val SMTP_HOST = "smtp.office365.com"
    private const val SMTP_USER = "«E:user»"
    private const val SMTP_PASSWORD = "«P:pw»"
    private const val SUPPORT_ADDRESS = "«E:sup»"

    private val props = Properties().apply {
        put("mail.smtp.auth", "true")
        put("mail.smtp.starttls.enable", "true")
        put("mail.smtp.host", SMTP_HOST)
        put("mail.smtp.port", "587")
    }

    private val session: Session by lazy {
        Session.getInstance(props, object : Authenticator() {
            override fun getPasswordAuthentication() = PasswordAuthentication(SMTP_USER, SMTP_PASSWORD)
        })
    }

    suspend fun sendFeedback(from: String, body: String) = withContext(Dispatchers.IO) {
        val msg = MimeMessage(session).apply {
            setFrom(InternetAddress(SMTP_USER))
            replyTo = arrayOf(InternetAddress(from))
            setRecipients(Message.RecipientType.TO, InternetAddress.parse(SUPPORT_ADDRESS))
            subject = "App feedback"
            setText(body)
        }
        Transport.send(msg)
    }
}
""", v


@doc("app/src/main/res/values/google_maps_api.xml")
def _d_android_xml(g: Gen):
    v = dict(key=g.aiza(), sha1=":".join(g.uhex(2) for _ in range(20)), cid=g.oauth_client_id(),
             pkg=f"com.{g.pick(_CO1)}.{g.pick(['tracker', 'delivery', 'runner'])}", fb=g.digits(15))
    return r"""
<?xml version="1.0" encoding="utf-8"?>
<resources>
    <!--
    TODO: Before you run your application, you need a Google Maps API key.

    To get one, follow this link, follow the directions and press "Create" at the end:

    https://console.developers.google.com/flows/enableapi?apiid=maps_android_backend&keyType=CLIENT_SIDE_ANDROID&r=«sha1»%3B«pkg»

    SHA-1 certificate fingerprint of the debug keystore: «sha1»

    Once you have your key (it starts with "AIza"), replace the "google_maps_key"
    string in this file.
    -->
    <string name="google_maps_key" templateMergeStrategy="preserve" translatable="false">«K:key»</string>

    <string name="default_web_client_id" translatable="false">«cid»</string>
    <string name="facebook_app_id" translatable="false">«fb»</string>

    <string name="app_name">Runner</string>
    <string name="prompt_email">Email</string>
    <string name="prompt_password">Password</string>
    <string name="error_invalid_password">Password must be at least 8 characters</string>
    <string name="action_forgot_password">Forgot password?</string>
    <string name="password_toggle_content_description">Show password</string>
</resources>
""", v


@doc("app/build.gradle")
def _d_gradle(g: Gen):
    v = dict(store=g.pw(sym="!#%&*?-_.+="), keyp=g.pw(sym="!#%&*?-_.+="), art=g.rpw(14, 22),
             api=g.hex(32), ver=g.ver4(), dom=g.domain())
    return r"""
plugins {
    id 'com.android.application'
    id 'kotlin-android'
    id 'com.google.gms.google-services'
}

android {
    namespace 'com.fitlog.app'
    compileSdk 34

    defaultConfig {
        applicationId "com.fitlog.app"
        minSdk 24
        targetSdk 34
        versionCode 4127
        versionName "«ver»"
        buildConfigField "String", "NEWS_API_KEY", "\"«K:api»\""
        testInstrumentationRunner "androidx.test.runner.AndroidJUnitRunner"
    }

    signingConfigs {
        release {
            storeFile file("../keystore/release.jks")
            storePassword "«P:store»"
            keyAlias "fitlog"
            keyPassword "«P:keyp»"
        }
    }

    buildTypes {
        release {
            minifyEnabled true
            proguardFiles getDefaultProguardFile('proguard-android-optimize.txt'), 'proguard-rules.pro'
            signingConfig signingConfigs.release
        }
    }
}

repositories {
    maven {
        url "https://artifactory.«dom»/artifactory/libs-release"
        credentials {
            username = "ci-reader"
            password = "«P:art»"
        }
    }
}

dependencies {
    implementation 'androidx.core:core-ktx:1.12.0'
    implementation 'com.google.android.material:material:1.11.0'
    implementation 'com.squareup.retrofit2:retrofit:2.9.0'
    testImplementation 'junit:junit:4.13.2'
}
""", v


@doc("src/test/java/com/acme/users/UserServiceTest.java")
def _d_junit(g: Gen):
    dom = g.domain()
    v = dict(e1=g.email(dom), e2=g.email(dom), e3=g.email(), p1=g.pw(sym="!#%&*?-_.+="),
             p2=g.pw(sym="!#%&*?-_.+="), p3=g.pw(sym="!#%&*?-_.+="), bc=g.bcrypt("$2a$10$"))
    return r"""
package com.acme.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.security.crypto.password.PasswordEncoder;

@SpringBootTest
class UserServiceTest {

    private static final String PASSWORD_FIELD = "passwordHash";
    private static final String STORED_HASH = "«bc»";

    @Autowired
    private UserService userService;

    @Autowired
    private PasswordEncoder passwordEncoder;

    @BeforeEach
    void setUp() {
        userService.deleteAll();
        userService.register(new RegisterRequest("«E:e1»", "«P:p1»"));
        userService.register(new RegisterRequest("«E:e2»", "«P:p2»"));
    }

    @Test
    void registeredPasswordIsEncoded() {
        User u = userService.findByEmail("«E:e1»").orElseThrow();
        assertThat(u.getPasswordHash()).isNotEqualTo("«P:p1»");
        assertThat(passwordEncoder.matches("«P:p1»", u.getPasswordHash())).isTrue();
    }

    @Test
    void duplicateEmailIsRejected() {
        assertThrows(DuplicateEmailException.class,
            () -> userService.register(new RegisterRequest("«E:e2»", "«P:p3»")));
    }

    @Test
    void legacyHashStillValidates() {
        User legacy = new User("«E:e3»", STORED_HASH);
        assertThat(ReflectionTestUtils.getField(legacy, PASSWORD_FIELD)).isEqualTo(STORED_HASH);
    }

    @Test
    void resetPasswordTokenExpires() {
        String token = userService.createPasswordResetToken("«E:e2»");
        assertThat(token).hasSize(36);
    }
}
""", v


@doc("pom.xml")
def _d_pom(g: Gen):
    dom = g.domain()
    n1, l1 = g.first(), g.last()
    v = dict(d1=g.email(dom, f"{n1}.{l1}"), d2=g.email(dom), n1=f"{n1.capitalize()} {l1.capitalize()}",
             dbpw=g.pw(sym="!#%*?-_.+="), sonar=g.sonar(), sha=g.sha1(), dom=dom)
    return r"""
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/maven-4.0.0.xsd">
    <modelVersion>4.0.0</modelVersion>

    <groupId>com.«dom»</groupId>
    <artifactId>ledger-core</artifactId>
    <version>1.8.0-SNAPSHOT</version>
    <packaging>jar</packaging>

    <developers>
        <developer>
            <name>«n1»</name>
            <email>«E:d1»</email>
            <roles><role>lead</role></roles>
        </developer>
        <developer>
            <email>«E:d2»</email>
        </developer>
    </developers>

    <properties>
        <java.version>17</java.version>
        <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
        <flyway.url>jdbc:postgresql://localhost:5432/ledger</flyway.url>
        <flyway.user>ledger</flyway.user>
        <flyway.password>«P:dbpw»</flyway.password>
        <sonar.host.url>https://sonar.«dom»</sonar.host.url>
        <sonar.login>«K:sonar»</sonar.login>
        <git.commit.id>«sha»</git.commit.id>
    </properties>

    <dependencies>
        <dependency>
            <groupId>org.springframework.boot</groupId>
            <artifactId>spring-boot-starter-data-jpa</artifactId>
            <version>3.2.1</version>
        </dependency>
        <dependency>
            <groupId>org.postgresql</groupId>
            <artifactId>postgresql</artifactId>
            <version>42.7.1</version>
        </dependency>
    </dependencies>
</project>
""", v


@doc("src/main/java/de/firma/sicherheit/KeystoreLoader.java")
def _d_keystore_java(g: Gen):
    raw = g.pw(sym="!#%&*?-_.+=") + "\\" + g.pick(_WORDS)[:4]
    v = dict(ks=g.pw(sym="!#%&*?-_.+="), esc=jstr(raw), kp=g.pw(sym="!#%&*?-_.+="),
             fp=":".join(g.uhex(2) for _ in range(32)))
    return r"""
package de.firma.sicherheit;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Lädt den Keystore für die SOAP-Schnittstelle.
 * Fingerprint des Zertifikats (SHA-256): «fp»
 */
public final class KeystoreLoader {

    public static final String PASSWORD_PROPERTY = "keystore.password";
    public static final String KEY_ALIAS = "soap-client";
    private static final String KEYSTORE_TYPE = "PKCS12";

    // TODO: aus Vault lesen
    private static final String KEYSTORE_PASSWORT = "«P:ks»";
    private static final char[] SCHLUESSEL_PASSWORT = "«P:esc»".toCharArray();

    private KeystoreLoader() {}

    public static KeyStore load(String path) throws IOException, GeneralSecurityException {
        String passwort = System.getProperty(PASSWORD_PROPERTY, KEYSTORE_PASSWORT);
        KeyStore ks = KeyStore.getInstance(KEYSTORE_TYPE);
        try (InputStream in = new FileInputStream(path)) {
            ks.load(in, passwort.toCharArray());
        }
        return ks;
    }

    public static PrivateKey privateKey(KeyStore ks) throws GeneralSecurityException {
        return (PrivateKey) ks.getKey(KEY_ALIAS, SCHLUESSEL_PASSWORT);
    }

    public static char[] promptPassword() {
        return System.console().readPassword("Keystore-Passwort: ");
    }

    public static SecretKey aesKey(byte[] raw) {
        return new SecretKeySpec(raw, "AES");
    }

    // Testsystem: keytool -list -keystore test.p12 -storepass «P:kp»
}
""", v


# ---- Go -------------------------------------------------------------------------------------


@doc("cmd/api/main.go")
def _d_go_main(g: Gen):
    v = dict(pw=g.pw(sym="!#%&*?-_.+="), ip=g.ip(), jwt=g.alnum(g.int(32, 48)), ver=g.ver4())
    return r"""
package main

import (
	"database/sql"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	_ "github.com/go-sql-driver/mysql"
	"github.com/golang-jwt/jwt/v5"
)

const (
	dsn        = "todo:«P:pw»@tcp(«I:ip»:3306)/todo?parseTime=true&loc=UTC"
	appVersion = "«ver»"
)

var jwtKey = []byte("«K:jwt»")

type Claims struct {
	UserID int64 `json:"uid"`
	jwt.RegisteredClaims
}

func main() {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		log.Fatal(err)
	}
	db.SetConnMaxLifetime(3 * time.Minute)
	db.SetMaxOpenConns(10)

	r := chi.NewRouter()
	r.Use(middleware.Logger, middleware.Recoverer)
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(appVersion)) })
	r.Post("/login", loginHandler(db))

	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "0.0.0.0:8080"
	}
	log.Printf("listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, r))
}

func issueToken(uid int64) (string, error) {
	claims := &Claims{
		UserID: uid,
		RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(time.Now().Add(24 * time.Hour))},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(jwtKey)
}
""", v


@doc("internal/config/defaults.go")
def _d_go_config(g: Gen):
    v = dict(redis=g.rpw(20, 32), ghp=g.ghp(), xoxb=g.xoxb(), uuid=g.uuid())
    return r"""
package config

import (
	"os"
	"strconv"
	"time"
)

// Config holds runtime settings. Values from the environment override the defaults below.
type Config struct {
	ListenAddr      string
	RedisAddr       string
	RedisPassword   string
	GitHubToken     string
	SlackBotToken   string
	PollInterval    time.Duration
	InstanceID      string
	TokenHeaderName string
}

// Defaults for local development. DO NOT use in production.
var Defaults = Config{
	ListenAddr:      "0.0.0.0:9000",
	RedisAddr:       "127.0.0.1:6379",
	RedisPassword:   "«P:redis»",
	GitHubToken:     "«K:ghp»",
	SlackBotToken:   "«K:xoxb»",
	PollInterval:    30 * time.Second,
	InstanceID:      "«uuid»",
	TokenHeaderName: "X-Hub-Signature-256",
}

func Load() Config {
	c := Defaults
	if v := os.Getenv("LISTEN_ADDR"); v != "" {
		c.ListenAddr = v
	}
	if v := os.Getenv("REDIS_PASSWORD"); v != "" {
		c.RedisPassword = v
	}
	if v := os.Getenv("GITHUB_TOKEN"); v != "" {
		c.GitHubToken = v
	}
	if v := os.Getenv("SLACK_BOT_TOKEN"); v != "" {
		c.SlackBotToken = v
	}
	if v, err := strconv.Atoi(os.Getenv("POLL_SECONDS")); err == nil {
		c.PollInterval = time.Duration(v) * time.Second
	}
	return c
}
""", v


@doc("pkg/gitlab/client_test.go")
def _d_go_test(g: Gen):
    v = dict(tok=g.glpat(), ip1=g.ip(), ip2=g.ip(), ip3=g.ip6(), pem=g.ec_key(),
             priv=g.priv_ip(), sha=g.sha1(), cert=g.cert(8))
    return r"""
package gitlab

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

const testToken = "«K:tok»"

// generated with: openssl ecparam -name prime256v1 -genkey -noout
const testKeyPEM = `«K:pem»`

const testCertPEM = `«cert»`

func TestClientSendsToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("PRIVATE-TOKEN"); got != testToken {
			t.Fatalf("token header = %q", got)
		}
		w.Write([]byte(`{"id":1,"sha":"«sha»"}`))
	}))
	defer srv.Close()

	c := New(srv.URL, testToken)
	if _, err := c.Commit("group/project", "main"); err != nil {
		t.Fatal(err)
	}
}

func TestIsAllowedRunnerIP(t *testing.T) {
	cases := []struct {
		ip   string
		want bool
	}{
		{"«I:ip1»", true},
		{"«I:ip2»", true},
		{"«I:ip3»", true},
		{"«priv»", false},
		{"127.0.0.1", false},
		{"::1", false},
		{"169.254.169.254", false},
	}
	for _, tc := range cases {
		if got := isAllowedRunnerIP(net.ParseIP(tc.ip)); got != tc.want {
			t.Errorf("isAllowedRunnerIP(%s) = %v, want %v", tc.ip, got, tc.want)
		}
	}
}
""", v


@doc("go.sum")
def _d_go_sum(g: Gen):
    v = {f"h{i}": g.b64bytes(32) for i in range(12)}
    v.update({f"p{i}": g.hex(12) for i in range(2)})
    return r"""
github.com/davecgh/go-spew v1.1.1 h1:«h0»
github.com/davecgh/go-spew v1.1.1/go.mod h1:«h1»
github.com/go-chi/chi/v5 v5.0.11 h1:«h2»
github.com/go-chi/chi/v5 v5.0.11/go.mod h1:«h3»
github.com/go-sql-driver/mysql v1.7.1 h1:«h4»
github.com/go-sql-driver/mysql v1.7.1/go.mod h1:«h5»
github.com/golang-jwt/jwt/v5 v5.2.0 h1:«h6»
github.com/golang-jwt/jwt/v5 v5.2.0/go.mod h1:«h7»
github.com/redis/go-redis/v9 v9.4.0 h1:«h8»
github.com/redis/go-redis/v9 v9.4.0/go.mod h1:«h9»
golang.org/x/crypto v0.0.0-20231219180239-«p0» h1:«h10»
golang.org/x/sys v0.0.0-20231222055440-«p1» h1:«h11»
""", v


# ---- C / C++ / Arduino ----------------------------------------------------------------------


@doc("firmware/greenhouse/greenhouse.ino")
def _d_esp32(g: Gen):
    v = dict(wifi=g.pw(sym="!#%&*?-_.+=", style=g.pick([0, 1, 3, 6, 7])), mqtt=g.ip(),
             mpw=g.rpw(12, 18), blynk=g.b64url(32), tmpl="TMPL" + g.alnum(8))
    return r"""
#define BLYNK_TEMPLATE_ID "«tmpl»"
#define BLYNK_TEMPLATE_NAME "Greenhouse"
#define BLYNK_AUTH_TOKEN "«K:blynk»"

#include <WiFi.h>
#include <PubSubClient.h>
#include <BlynkSimpleEsp32.h>
#include <DHT.h>

// ---- network ----
const char* ssid = "Vodafone-2G-Garten";
const char* password = "«P:wifi»";

IPAddress local_IP(192, 168, 1, 184);
IPAddress gateway(192, 168, 1, 1);
IPAddress subnet(255, 255, 255, 0);
IPAddress primaryDNS(8, 8, 8, 8);

const char* mqtt_server = "«I:mqtt»";
const int   mqtt_port = 1883;
const char* mqtt_user = "greenhouse";
const char* mqtt_pass = "«P:mpw»";

#define DHTPIN 4
#define DHTTYPE DHT22
DHT dht(DHTPIN, DHTTYPE);
WiFiClient espClient;
PubSubClient client(espClient);

void setup() {
  Serial.begin(115200);
  if (!WiFi.config(local_IP, gateway, subnet, primaryDNS)) {
    Serial.println("STA Failed to configure");
  }
  WiFi.begin(ssid, password);
  while (WiFi.status() != WL_CONNECTED) { delay(500); Serial.print("."); }
  client.setServer(mqtt_server, mqtt_port);
  Blynk.begin(BLYNK_AUTH_TOKEN, ssid, password);
  dht.begin();
}

void loop() {
  if (!client.connected()) {
    client.connect("esp32-greenhouse", mqtt_user, mqtt_pass);
  }
  float t = dht.readTemperature();
  float h = dht.readHumidity();
  client.publish("greenhouse/temp", String(t).c_str());
  client.publish("greenhouse/hum", String(h).c_str());
  Blynk.virtualWrite(V0, t);
  Blynk.run();
  delay(10000);
}
""", v


@doc("arduino/thingspeak_dht11/thingspeak_dht11.ino")
def _d_thingspeak(g: Gen):
    v = dict(pw=g.pw(sym="", style=g.pick([1, 3, 8, 10])), key=g.upan(16), read=g.upan(16),
             ch=g.digits(7), ip=g.ip())
    return r"""
/*
 * ESP8266 + DHT11 -> ThingSpeak
 * based on the example from the ThingSpeak library, 2017
 */
#include <ESP8266WiFi.h>
#include "DHT.h"

String apiKey = "«K:key»";     // Enter your Write API key from ThingSpeak
// read key (for the dashboard only): «K:read»
unsigned long myChannelNumber = «ch»;

const char *ssid = "TP-LINK_5F21";       // replace with your wifi ssid and wpa2 key
const char *pass = "«P:pw»";
const char* server = "api.thingspeak.com";
// const char* server = "«I:ip»";  // local mirror at the lab

#define DHTPIN 0          // pin where the dht11 is connected
DHT dht(DHTPIN, DHT11);
WiFiClient client;

void setup() {
  Serial.begin(115200);
  delay(10);
  dht.begin();
  Serial.println("Connecting to ");
  Serial.println(ssid);
  WiFi.begin(ssid, pass);
  while (WiFi.status() != WL_CONNECTED) {
    delay(500);
    Serial.print(".");
  }
  Serial.println("");
  Serial.println("WiFi connected");
}

void loop() {
  float h = dht.readHumidity();
  float t = dht.readTemperature();
  if (isnan(h) || isnan(t)) {
    Serial.println("Failed to read from DHT sensor!");
    return;
  }
  if (client.connect(server, 80)) {
    String postStr = apiKey;
    postStr += "&field1=" + String(t);
    postStr += "&field2=" + String(h);
    postStr += "\r\n\r\n";
    client.print("POST /update HTTP/1.1\n");
    client.print("Host: api.thingspeak.com\n");
    client.print("Connection: close\n");
    client.print("X-THINGSPEAKAPIKEY: " + apiKey + "\n");
    client.print("Content-Type: application/x-www-form-urlencoded\n");
    client.print("Content-Length: ");
    client.print(postStr.length());
    client.print("\n\n");
    client.print(postStr);
  }
  client.stop();
  delay(20000);  // thingspeak needs minimum 15 sec delay between updates
}
""", v


@doc("src/net/addr_test.c")
def _d_c_addr(g: Gen):
    v = dict(ip1=g.ip(), ip2=g.ip(), ip3=g.ip6(), ver=g.ver4(), priv=g.priv_ip(), cg=f"100.{g.int(64, 127)}.{g.int(0, 255)}.{g.int(1, 254)}")
    return r"""
/* addr_test.c - unit tests for addr_classify()  (libnetkit 0.7) */
#include <arpa/inet.h>
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

#define LIBNETKIT_VERSION "«ver»"
#define DEFAULT_RESOLVER  "9.9.9.9"
#define SNMP_SYSDESCR_OID "1.3.6.1.2.1.1.1.0"
#define ENTERPRISE_OID    "1.3.6.1.4.1.2021.10.1.3.1"

struct tcase {
    const char *addr;
    enum addr_class want;
};

static const struct tcase cases[] = {
    { "«I:ip1»",          ADDR_GLOBAL },
    { "«I:ip2»",          ADDR_GLOBAL },
    { "«I:ip3»",          ADDR_GLOBAL },
    { "«priv»",           ADDR_PRIVATE },
    { "«cg»",             ADDR_CGNAT },
    { "127.0.0.1",        ADDR_LOOPBACK },
    { "169.254.10.20",    ADDR_LINKLOCAL },
    { "224.0.0.251",      ADDR_MULTICAST },
    { "255.255.255.255",  ADDR_BROADCAST },
    { "0.0.0.0",          ADDR_UNSPECIFIED },
    { "fe80::1",          ADDR_LINKLOCAL },
    { "fd12:3456:789a::1", ADDR_PRIVATE },
    { "2001:db8::42",     ADDR_DOCUMENTATION },
};

int main(void)
{
    size_t i;
    int failed = 0;

    printf("libnetkit %s, resolver %s\n", LIBNETKIT_VERSION, DEFAULT_RESOLVER);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum addr_class got = addr_classify(cases[i].addr);
        if (got != cases[i].want) {
            fprintf(stderr, "FAIL %s: got %d want %d\n", cases[i].addr, got, cases[i].want);
            failed++;
        }
    }
    assert(oid_depth(SNMP_SYSDESCR_OID) == 9);
    assert(oid_depth(ENTERPRISE_OID) == 12);
    return failed ? 1 : 0;
}
""", v


@doc("src/license/LicenseCheck.cpp")
def _d_cpp_license(g: Gen):
    v = dict(secret=g.b64bytes(32), d1=", ".join("0x" + g.hex(2) for _ in range(16)),
             d2=", ".join("0x" + g.hex(2) for _ in range(16)), crc=g.uhex(8), sha=g.sha256())
    return r"""
// LicenseCheck.cpp
// Copyright (c) 2019 Northwind Tools. Licensed under the MIT license.

#include "LicenseCheck.h"

#include <array>
#include <cstdint>
#include <string>

#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace nw {

namespace {
// HMAC secret shared with the license server. Rotate together with server/config/license.yml.
constexpr const char* kLicenseHmacSecret = "«K:secret»";

// SHA-256 of the bundled EULA text (first and second half), used to detect tampering.
constexpr std::array<uint8_t, 16> kEulaDigestHi = { «d1» };
constexpr std::array<uint8_t, 16> kEulaDigestLo = { «d2» };

constexpr uint32_t kExpectedCrc32 = 0x«crc»;
constexpr int kPasswordMinLength = 12;
constexpr const char* kInstallerSha256 = "«sha»";
}  // namespace

bool LicenseCheck::verify(const std::string& payload, const std::string& signature) const {
    unsigned char mac[SHA256_DIGEST_LENGTH];
    unsigned int len = 0;
    HMAC(EVP_sha256(), kLicenseHmacSecret, static_cast<int>(std::char_traits<char>::length(kLicenseHmacSecret)),
         reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac, &len);
    return toHex(mac, len) == signature;
}

bool LicenseCheck::eulaIntact(const std::array<uint8_t, 32>& digest) const {
    for (size_t i = 0; i < 16; ++i) {
        if (digest[i] != kEulaDigestHi[i] || digest[16 + i] != kEulaDigestLo[i]) return false;
    }
    return true;
}

bool LicenseCheck::passwordAcceptable(const std::string& pw) const {
    return pw.size() >= kPasswordMinLength;
}

}  // namespace nw
""", v


# ---- C# / .NET ------------------------------------------------------------------------------


@doc("src/Api/appsettings.json")
def _d_appsettings(g: Gen):
    v = dict(ip=g.ip(), pw=g.pw(sym="!#%&*?-_.+="), jwt=g.b64bytes(48), sg=g.sendgrid(),
             frm=g.role_email(), bl=g.azure_storage(), acct=g.pick(_CO1) + "storage", ai=g.uuid())
    return r"""
{
  "ConnectionStrings": {
    "DefaultConnection": "Server=«I:ip»,1433;Database=TodoDb;User Id=sa;Password=«P:pw»;TrustServerCertificate=True;",
    "BlobStorage": "DefaultEndpointsProtocol=https;AccountName=«acct»;AccountKey=«K:bl»;EndpointSuffix=core.windows.net"
  },
  "Jwt": {
    "Key": "«K:jwt»",
    "Issuer": "TodoApi",
    "Audience": "TodoApiClients",
    "ExpiryMinutes": 60
  },
  "SendGrid": {
    "ApiKey": "«K:sg»",
    "FromEmail": "«E:frm»",
    "FromName": "Todo App"
  },
  "ApplicationInsights": {
    "ConnectionString": "InstrumentationKey=«ai»;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/"
  },
  "Logging": {
    "LogLevel": {
      "Default": "Information",
      "Microsoft.AspNetCore": "Warning"
    }
  },
  "AllowedHosts": "*"
}
""", v


@doc("Services/EmailSender.cs")
def _d_csharp_mail(g: Gen):
    v = dict(user=g.email(), pw=g.pw(sym="!#%&*?-_.+="), bcc=g.email(), ver=g.ver4())
    return r"""
using System;
using System.Net;
using System.Net.Mail;
using System.Reflection;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Identity.UI.Services;

[assembly: AssemblyVersion("«ver»")]
[assembly: AssemblyFileVersion("«ver»")]

namespace Bookstore.Services
{
    public class EmailSender : IEmailSender
    {
        private const string Host = "smtp-mail.outlook.com";
        private const int Port = 587;
        private const string UserName = "«E:user»";
        private const string Password = "«P:pw»";
        private const string ArchiveBcc = "«E:bcc»";

        public Task SendEmailAsync(string email, string subject, string htmlMessage)
        {
            var client = new SmtpClient(Host, Port)
            {
                EnableSsl = true,
                UseDefaultCredentials = false,
                Credentials = new NetworkCredential(UserName, Password)
            };

            var message = new MailMessage
            {
                From = new MailAddress(UserName, "Bookstore"),
                Subject = subject,
                Body = htmlMessage,
                IsBodyHtml = true
            };
            message.To.Add(email);
            message.Bcc.Add(ArchiveBcc);
            return client.SendMailAsync(message);
        }

        public static string MaskPassword(string password) => new string('*', password?.Length ?? 0);
    }
}
""", v


@doc("LegacyPortal/Web.config")
def _d_webconfig(g: Gen):
    v = dict(pw=g.pw(sym="!#%*?-_.+="), sk=g.sk_live(), vk=g.uhex(128), dk=g.uhex(64), ip=g.priv_ip(),
             pk=g.pk_live(), ver=g.ver4())
    return r"""
<?xml version="1.0" encoding="utf-8"?>
<!--
  For more information on how to configure your ASP.NET application, please visit
  http://go.microsoft.com/fwlink/?LinkId=169433
  -->
<configuration>
  <connectionStrings>
    <add name="PortalDb"
         connectionString="Data Source=«ip»\SQLEXPRESS;Initial Catalog=Portal;User ID=portal_web;Password=«P:pw»;MultipleActiveResultSets=True"
         providerName="System.Data.SqlClient" />
  </connectionStrings>
  <appSettings>
    <add key="webpages:Version" value="3.0.0.0" />
    <add key="ClientValidationEnabled" value="true" />
    <add key="StripePublishableKey" value="«pk»" />
    <add key="StripeSecretKey" value="«K:sk»" />
    <add key="PasswordResetUrl" value="~/Account/ResetPassword" />
  </appSettings>
  <system.web>
    <compilation debug="false" targetFramework="4.7.2" />
    <httpRuntime targetFramework="4.7.2" maxRequestLength="20480" />
    <authentication mode="Forms">
      <forms loginUrl="~/Account/Login" timeout="2880" />
    </authentication>
    <machineKey validationKey="«K:vk»"
                decryptionKey="«K:dk»"
                validation="HMACSHA256" decryption="AES" />
  </system.web>
  <runtime>
    <assemblyBinding xmlns="urn:schemas-microsoft-com:asm.v1">
      <dependentAssembly>
        <assemblyIdentity name="Newtonsoft.Json" publicKeyToken="30ad4fe6b2a6aeed" culture="neutral" />
        <bindingRedirect oldVersion="0.0.0.0-13.0.0.0" newVersion="«ver»" />
      </dependentAssembly>
    </assemblyBinding>
  </runtime>
</configuration>
""", v


# ---- PHP ------------------------------------------------------------------------------------


@doc("includes/config.inc.php")
def _d_php_old(g: Gen):
    v = dict(ip=g.ip(), pw=g.pw(sym="!#%&*?-_.+="), salt=g.alnum(40), admin=g.freemail(),
             md5=g.md5())
    return r"""
<?php
/*
 * config.inc.php
 * Guestbook v2.1 - (c) 2009
 */

error_reporting(E_ALL ^ E_NOTICE);

$db_host = "«I:ip»";
$db_user = "gbook";
$db_pass = '«P:pw»';
$db_name = "gbook";

define('SECRET_SALT', '«K:salt»');
define('ADMIN_PASS_MD5', '«md5»');   // md5 of the admin password
define('ENTRIES_PER_PAGE', 15);

$admin_email = "«E:admin»";
$site_url = "http://" . $_SERVER['HTTP_HOST'] . "/guestbook/";

$link = mysql_connect($db_host, $db_user, $db_pass) or die("Could not connect: " . mysql_error());
mysql_select_db($db_name, $link) or die("Could not select db");
mysql_query("SET NAMES 'utf8'");

function check_admin($pass) {
    return md5($pass) == ADMIN_PASS_MD5;
}

function clean($str) {
    return mysql_real_escape_string(htmlspecialchars(trim($str)));
}

function notify_admin($name, $message) {
    global $admin_email;
    $headers = "From: guestbook@" . $_SERVER['HTTP_HOST'] . "\r\n";
    @mail($admin_email, "New guestbook entry from " . $name, $message, $headers);
}
?>
""", v


@doc("wp-config.php")
def _d_wp_config(g: Gen):
    wp = "".join(c for c in string.ascii_letters + string.digits + "!#$%&()*+,-./:;<=>?@[]^_`{|}~ ")
    v = dict(pw=g.pw(sym="!#%&*?-_.+="), **{f"s{i}": g.chars(wp, 64).strip() for i in range(8)})
    return r"""
<?php
/**
 * The base configuration for WordPress
 *
 * @link https://wordpress.org/documentation/article/editing-wp-config-php/
 *
 * @package WordPress
 */

// ** Database settings - You can get this info from your web host ** //
/** The name of the database for WordPress */
define( 'DB_NAME', 'wp_blog' );

/** Database username */
define( 'DB_USER', 'wp_blog_user' );

/** Database password */
define( 'DB_PASSWORD', '«P:pw»' );

/** Database hostname */
define( 'DB_HOST', 'localhost' );

/** Database charset to use in creating database tables. */
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );

/**#@+
 * Authentication unique keys and salts.
 *
 * Change these to different unique phrases! You can generate these using
 * the {@link https://api.wordpress.org/secret-key/1.1/salt/ WordPress.org secret-key service}.
 *
 * @since 2.6.0
 */
define( 'AUTH_KEY',         '«K:s0»' );
define( 'SECURE_AUTH_KEY',  '«K:s1»' );
define( 'LOGGED_IN_KEY',    '«K:s2»' );
define( 'NONCE_KEY',        '«K:s3»' );
define( 'AUTH_SALT',        '«K:s4»' );
define( 'SECURE_AUTH_SALT', '«K:s5»' );
define( 'LOGGED_IN_SALT',   '«K:s6»' );
define( 'NONCE_SALT',       '«K:s7»' );

/**#@-*/

$table_prefix = 'wp_';

define( 'WP_DEBUG', false );
define( 'WP_MEMORY_LIMIT', '256M' );

/* That's all, stop editing! Happy publishing. */

/** Absolute path to the WordPress directory. */
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}

/** Sets up WordPress vars and included files. */
require_once ABSPATH . 'wp-settings.php';
""", v


@doc("laravel-app/.env")
def _d_laravel_env(g: Gen):
    dom = g.domain()
    v = dict(app="base64:" + g.b64bytes(32), db=g.pw(sym="!%*-_.+="), mu=g.email(dom), mp=g.pw(sym="!%*-_.+="),
             frm=g.role_email(dom), pid=g.digits(7), pkey=g.hex(20), psec=g.hex(20),
             kid=g.aws_id(), ksec=g.aws_secret(), dom=dom)
    return r"""
APP_NAME=Laravel
APP_ENV=production
APP_KEY=«K:app»
APP_DEBUG=false
APP_URL=https://«dom»

LOG_CHANNEL=stack
LOG_LEVEL=debug

DB_CONNECTION=mysql
DB_HOST=127.0.0.1
DB_PORT=3306
DB_DATABASE=laravel
DB_USERNAME=laravel
DB_PASSWORD=«P:db»

BROADCAST_DRIVER=pusher
CACHE_DRIVER=redis
QUEUE_CONNECTION=redis
SESSION_DRIVER=file
SESSION_LIFETIME=120

REDIS_HOST=127.0.0.1
REDIS_PASSWORD=null
REDIS_PORT=6379

MAIL_MAILER=smtp
MAIL_HOST=smtp.office365.com
MAIL_PORT=587
MAIL_USERNAME=«E:mu»
MAIL_PASSWORD=«P:mp»
MAIL_ENCRYPTION=tls
MAIL_FROM_ADDRESS="«E:frm»"
MAIL_FROM_NAME="${APP_NAME}"

AWS_ACCESS_KEY_ID=«K:kid»
AWS_SECRET_ACCESS_KEY=«K:ksec»
AWS_DEFAULT_REGION=eu-central-1
AWS_BUCKET=«dom»-uploads

PUSHER_APP_ID=«pid»
PUSHER_APP_KEY=«pkey»
PUSHER_APP_SECRET=«K:psec»
PUSHER_APP_CLUSTER=eu

VITE_PUSHER_APP_KEY="${PUSHER_APP_KEY}"
VITE_PUSHER_APP_CLUSTER="${PUSHER_APP_CLUSTER}"
""", v


@doc("contact/send.php")
def _d_phpmailer(g: Gen):
    dom = g.domain()
    v = dict(user=g.email(dom, "webmaster"), pw=g.pw(sym="!#%&*?-_.+="), to=g.email(dom), cc=g.freemail())
    return r"""
<?php
use PHPMailer\PHPMailer\PHPMailer;
use PHPMailer\PHPMailer\SMTP;
use PHPMailer\PHPMailer\Exception;

require 'vendor/autoload.php';

if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    http_response_code(405);
    exit;
}

$name    = strip_tags(trim($_POST['name'] ?? ''));
$email   = filter_var(trim($_POST['email'] ?? ''), FILTER_SANITIZE_EMAIL);
$message = trim($_POST['message'] ?? '');

if (!$name || !filter_var($email, FILTER_VALIDATE_EMAIL) || !$message) {
    http_response_code(400);
    echo "Please complete the form and try again.";
    exit;
}

$mail = new PHPMailer(true);

try {
    //Server settings
    $mail->SMTPDebug = SMTP::DEBUG_OFF;
    $mail->isSMTP();
    $mail->Host       = 'smtp.hostinger.com';
    $mail->SMTPAuth   = true;
    $mail->Username   = '«E:user»';
    $mail->Password   = '«P:pw»';
    $mail->SMTPSecure = PHPMailer::ENCRYPTION_SMTPS;
    $mail->Port       = 465;

    //Recipients
    $mail->setFrom('«E:user»', 'Website contact form');
    $mail->addAddress('«E:to»');
    $mail->addCC('«E:cc»');
    $mail->addReplyTo($email, $name);

    $mail->isHTML(false);
    $mail->Subject = "New message from $name";
    $mail->Body    = $message;

    $mail->send();
    echo 'Message has been sent';
} catch (Exception $e) {
    http_response_code(500);
    echo "Message could not be sent. Mailer Error: {$mail->ErrorInfo}";
}
""", v


@doc("tests/Feature/LoginTest.php")
def _d_phpunit(g: Gen):
    dom = g.domain()
    v = dict(e1=g.email(dom), p1=g.pw(sym="!#%&*?-_.+="), e2=g.email(dom), p2=g.pw(sym="!#%&*?-_.+="),
             h=g.bcrypt("$2y$10$"), bad=g.pw(sym="!#%&*?-_.+="))
    return r"""
<?php

namespace Tests\Feature;

use App\Models\User;
use Illuminate\Foundation\Testing\RefreshDatabase;
use Illuminate\Support\Facades\Hash;
use Tests\TestCase;

class LoginTest extends TestCase
{
    use RefreshDatabase;

    /** @test */
    public function a_user_can_log_in_with_correct_credentials()
    {
        $user = User::factory()->create([
            'email' => '«E:e1»',
            'password' => Hash::make('«P:p1»'),
        ]);

        $response = $this->post('/login', [
            'email' => '«E:e1»',
            'password' => '«P:p1»',
        ]);

        $response->assertRedirect('/home');
        $this->assertAuthenticatedAs($user);
    }

    /** @test */
    public function a_user_cannot_log_in_with_incorrect_password()
    {
        User::factory()->create(['email' => '«E:e2»', 'password' => bcrypt('«P:p2»')]);

        $response = $this->from('/login')->post('/login', [
            'email' => '«E:e2»',
            'password' => '«P:bad»',
        ]);

        $response->assertRedirect('/login');
        $response->assertSessionHasErrors('email');
        $this->assertGuest();
    }

    /** @test */
    public function legacy_hashes_are_rehashed()
    {
        $user = User::factory()->create(['password' => '«h»']);
        $this->assertTrue(Hash::needsRehash($user->password) === false);
    }

    /** @test */
    public function password_reset_link_screen_can_be_rendered()
    {
        $this->get('/forgot-password')->assertStatus(200);
    }
}
""", v


# ---- Ruby -----------------------------------------------------------------------------------


@doc("config/database.yml")
def _d_rails_db(g: Gen):
    v = dict(dev=g.pw(sym="!#%&*?-_.+="), test=g.pw(sym="!#%&*?-_.+="), ip=g.ip(), stg=g.rpw(16, 24))
    return r"""
# PostgreSQL. Versions 9.3 and up are supported.
#
# Install the pg driver:
#   gem install pg
#
default: &default
  adapter: postgresql
  encoding: unicode
  # For details on connection pooling, see Rails configuration guide
  # https://guides.rubyonrails.org/configuring.html#database-pooling
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>

development:
  <<: *default
  database: recipes_development
  username: recipes
  password: "«P:dev»"
  host: localhost

test:
  <<: *default
  database: recipes_test
  username: recipes
  password: "«P:test»"
  host: localhost

staging:
  <<: *default
  database: recipes_staging
  username: recipes
  password: '«P:stg»'
  host: «I:ip»
  port: 5432

production:
  <<: *default
  database: recipes_production
  username: recipes
  password: <%= ENV["RECIPES_DATABASE_PASSWORD"] %>
  host: <%= ENV["DATABASE_HOST"] %>
""", v


@doc("config/secrets.yml")
def _d_rails_secrets(g: Gen):
    v = dict(dev=g.hex(128), test=g.hex(128), sk=g.sk_live(), mg=g.mailgun(), gh=g.ghp("ghs_"))
    return r"""
# Be sure to restart your server when you modify this file.

# Your secret key is used for verifying the integrity of signed cookies.
# If you change this key, all old signed cookies will become invalid!

# Make sure the secret is at least 30 characters and all random,
# no regular words or you'll be exposed to dictionary attacks.
# You can use `rails secret` to generate a secure secret key.

# Make sure the secrets in this file are kept private
# if you're sharing your code publicly.

development:
  secret_key_base: «K:dev»
  stripe_secret_key: «K:sk»
  mailgun_api_key: «K:mg»

test:
  secret_key_base: «K:test»
  github_app_token: «K:gh»

# Do not keep production secrets in the repository,
# instead read values from the environment.
production:
  secret_key_base: <%= ENV["SECRET_KEY_BASE"] %>
  stripe_secret_key: <%= ENV["STRIPE_SECRET_KEY"] %>
  mailgun_api_key: <%= ENV["MAILGUN_API_KEY"] %>
""", v


@doc("spec/factories/users.rb")
def _d_factorybot(g: Gen):
    dom = g.domain()
    v = dict(pw=g.pw(sym="!#%&*?-_.+="), adm=g.email(dom), apw=g.pw(sym="!#%&*?-_.+="), dom=dom,
             tok=g.uuid())
    return r"""
# frozen_string_literal: true

FactoryBot.define do
  factory :user do
    sequence(:email) { |n| "user#{n}@«dom»" }
    name { Faker::Name.name }
    password { "«P:pw»" }
    password_confirmation { "«P:pw»" }
    confirmed_at { Time.current }

    trait :unconfirmed do
      confirmed_at { nil }
    end

    trait :with_reset_token do
      reset_password_token { "«tok»" }
      reset_password_sent_at { 1.hour.ago }
    end

    factory :admin do
      email { "«E:adm»" }
      password { "«P:apw»" }
      password_confirmation { "«P:apw»" }
      role { :admin }
    end
  end

  factory :api_token do
    user
    token { SecureRandom.hex(20) }
    expires_at { 30.days.from_now }
  end
end
""", v


@doc("config/deploy.rb")
def _d_capistrano(g: Gen):
    v = dict(ip1=g.ip(), ip2=g.ip(), ip3=g.ip(), hook=g.slack_path(), app=g.pick(["recipes", "shopfront", "tracker"]))
    return r"""
# config valid for current version and patch releases of Capistrano
lock "~> 3.18.0"

set :application, "«app»"
set :repo_url, "git@github.com:«app»-team/«app».git"
set :branch, ENV.fetch("BRANCH", "main")
set :deploy_to, "/var/www/«app»"
set :rbenv_ruby, "3.2.2"
set :keep_releases, 5

append :linked_files, "config/database.yml", "config/master.key"
append :linked_dirs, "log", "tmp/pids", "tmp/cache", "tmp/sockets", "public/system", "storage"

server "«I:ip1»", user: "deploy", roles: %w[app web]
server "«I:ip2»", user: "deploy", roles: %w[app worker]
server "«I:ip3»", user: "deploy", roles: %w[db], primary: true

set :ssh_options, {
  keys: %w[~/.ssh/id_ed25519],
  forward_agent: true,
  auth_methods: %w[publickey],
}

# ssh deploy@«I:ip1» 'sudo systemctl restart puma'
set :slack_webhook, "https://hooks.slack.com/services/«K:hook»"

namespace :deploy do
  desc "Restart Puma"
  task :restart do
    on roles(:app) do
      execute :sudo, :systemctl, :restart, "puma"
    end
  end
  after :publishing, :restart
end
""", v


# ---- Rust -----------------------------------------------------------------------------------


@doc("src/main.rs")
def _d_rust_main(g: Gen):
    v = dict(key=g.hex(32), pw=g.pw(sym="-_.!*~"), ver="0." + str(g.int(1, 9)) + "." + str(g.int(0, 20)))
    return r"""
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::{routing::get, Router};
use reqwest::Client;
use serde::Deserialize;
use sqlx::postgres::PgPoolOptions;

const API_KEY: &str = "«K:key»";
const DATABASE_URL: &str = "postgres://quotes:«P:pw»@localhost:5432/quotes";
const VERSION: &str = "«ver»";

#[derive(Debug, Deserialize)]
struct Quote {
    symbol: String,
    price: f64,
}

async fn fetch_quote(client: &Client, symbol: &str) -> reqwest::Result<Quote> {
    client
        .get("https://financialmodelingprep.com/api/v3/quote-short/".to_owned() + symbol)
        .query(&[("apikey", API_KEY)])
        .send()
        .await?
        .json::<Vec<Quote>>()
        .await
        .map(|mut v| v.remove(0))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let pool = PgPoolOptions::new()
        .max_connections(5)
        .acquire_timeout(Duration::from_secs(3))
        .connect(DATABASE_URL)
        .await?;
    sqlx::migrate!().run(&pool).await?;

    let client = Client::builder().timeout(Duration::from_secs(10)).build()?;
    let q = fetch_quote(&client, "AAPL").await?;
    println!("{} = {}", q.symbol, q.price);

    let app = Router::new().route("/version", get(|| async { VERSION }));
    let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(0, 0, 0, 0)), 3000);
    let metrics = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 9100);
    println!("listening on {addr}, metrics on {metrics}");
    axum::Server::bind(&addr).serve(app.into_make_service()).await?;
    Ok(())
}
""", v


@doc("Cargo.toml")
def _d_cargo(g: Gen):
    n1, l1, n2, l2 = g.first(), g.last(), g.first(), g.last()
    v = dict(a1=f"{n1.capitalize()} {l1.capitalize()}", e1=g.email(local=f"{n1}"), a2=f"{n2.capitalize()} {l2.capitalize()}",
             e2=g.freemail(), crate=g.pick(["tinyquotes", "rsvp-cli", "dotfmt"]))
    return r"""
[package]
name = "«crate»"
version = "0.4.2"
edition = "2021"
rust-version = "1.70"
authors = ["«a1» <«E:e1»>", "«a2» <«E:e2»>"]
description = "A small command line tool"
license = "MIT OR Apache-2.0"
repository = "https://github.com/«crate»/«crate»"
readme = "README.md"
keywords = ["cli", "finance"]
categories = ["command-line-utilities"]

[dependencies]
anyhow = "1.0.79"
axum = "0.6.20"
clap = { version = "4.4.18", features = ["derive", "env"] }
reqwest = { version = "0.11.23", default-features = false, features = ["json", "rustls-tls"] }
serde = { version = "1.0.195", features = ["derive"] }
sqlx = { version = "0.7.3", features = ["runtime-tokio", "postgres", "migrate"] }
tokio = { version = "1.35.1", features = ["full"] }

[dev-dependencies]
assert_cmd = "2.0.13"
tempfile = "3.9.0"

[profile.release]
lto = true
codegen-units = 1
strip = true
""", v


@doc("tests/integration.rs")
def _d_rust_it(g: Gen):
    v = dict(pw=g.pw(sym="-_.!*~"), mail=g.email(), upw=g.pw(sym="!#%&*?-_.+="), ip1=g.ip(), ip2=g.ip6(),
             priv=g.priv_ip())
    return r"""
use std::net::IpAddr;

use assert_cmd::Command;
use rsvp::{classify, AddrKind, Db, NewUser};

fn test_db_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres:«P:pw»@localhost:5432/rsvp_test".to_string())
}

#[tokio::test]
async fn creates_and_authenticates_user() {
    let db = Db::connect(&test_db_url()).await.unwrap();
    let user = NewUser {
        email: "«E:mail»".into(),
        password: "«P:upw»".into(),
    };
    let id = db.create_user(&user).await.unwrap();
    assert!(db.verify_password(id, "«P:upw»").await.unwrap());
    assert!(!db.verify_password(id, "").await.unwrap());
}

#[test]
fn classifies_addresses() {
    let public: IpAddr = "«I:ip1»".parse().unwrap();
    let public6: IpAddr = "«I:ip2»".parse().unwrap();
    let private: IpAddr = "«priv»".parse().unwrap();
    assert_eq!(classify(public), AddrKind::Global);
    assert_eq!(classify(public6), AddrKind::Global);
    assert_eq!(classify(private), AddrKind::Private);
    assert_eq!(classify("::1".parse().unwrap()), AddrKind::Loopback);
}

#[test]
fn cli_prints_version() {
    Command::cargo_bin("rsvp").unwrap().arg("--version").assert().success();
}
""", v


# ---- Swift ----------------------------------------------------------------------------------


@doc("Sources/Networking/APIClient.swift")
def _d_swift_client(g: Gen):
    v = dict(key=g.alnum(40), ip=g.ip(), svc=f"com.{g.pick(_CO1)}.app")
    return r"""
//
//  APIClient.swift
//  Trailmate
//
//  Created by Marta on 14/03/2022.
//

import Foundation
import Security

enum APIError: Error {
    case invalidResponse
    case status(Int)
}

final class APIClient {
    static let shared = APIClient()

    private let apiKey = "«K:key»"
    private let baseURL = URL(string: "https://«I:ip»:8443/v2")!
    private let keychainService = "«svc»"
    private let passwordKey = "userPassword"
    private let tokenKey = "accessToken"
    private let session: URLSession

    private init() {
        let config = URLSessionConfiguration.default
        config.timeoutIntervalForRequest = 15
        session = URLSession(configuration: config)
    }

    func request<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        var req = URLRequest(url: baseURL.appendingPathComponent(path))
        req.setValue(apiKey, forHTTPHeaderField: "X-Api-Key")
        if let token = readKeychain(account: tokenKey) {
            req.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
        let (data, resp) = try await session.data(for: req)
        guard let http = resp as? HTTPURLResponse else { throw APIError.invalidResponse }
        guard (200..<300).contains(http.statusCode) else { throw APIError.status(http.statusCode) }
        return try JSONDecoder().decode(T.self, from: data)
    }

    private func readKeychain(account: String) -> String? {
        let query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: keychainService,
            kSecAttrAccount as String: account,
            kSecReturnData as String: true,
        ]
        var item: CFTypeRef?
        guard SecItemCopyMatching(query as CFDictionary, &item) == errSecSuccess,
              let data = item as? Data else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
""", v


@doc("Config/Secrets.xcconfig")
def _d_xcconfig(g: Gen):
    v = dict(alg_app=g.upan(10), alg_admin=g.hex(32), mb=g.mapbox_sk(),
             rc="appl_" + g.alnum(27), team=g.upan(10))
    return r"""
//
//  Secrets.xcconfig
//  Trailmate
//
//  !! This file is listed in .gitignore (since 2023-05). Older commits may still contain it.
//

DEVELOPMENT_TEAM = «team»
PRODUCT_BUNDLE_IDENTIFIER = com.trailmate.ios
MARKETING_VERSION = 2.8.1
CURRENT_PROJECT_VERSION = 412

// Algolia
ALGOLIA_APP_ID = «alg_app»
ALGOLIA_ADMIN_API_KEY = «K:alg_admin»

// Mapbox: downloads token (needs DOWNLOADS:READ scope), used by the podspec
MAPBOX_DOWNLOADS_TOKEN = «K:mb»

// RevenueCat public SDK key (safe to ship)
REVENUECAT_PUBLIC_KEY = «rc»

// Slashes in xcconfig need escaping
API_BASE_URL = https:/$()/api.trailmate.app/v2
""", v


# ---- Shell / PowerShell / Makefile ----------------------------------------------------------


@doc("scripts/deploy.sh")
def _d_deploy_sh(g: Gen):
    v = dict(kid=g.aws_id(), ksec=g.aws_secret(), ssh=g.pw(sym="%^*-_.+=@"), ip=g.ip(),
             my=g.pw(sym="%^*-_.+=@"), sha=g.sha1(), acct=g.digits(12))
    return r"""
#!/bin/bash
# deploy.sh - build the image, push to ECR and restart the service on the box
set -euo pipefail

export AWS_ACCESS_KEY_ID=«K:kid»
export AWS_SECRET_ACCESS_KEY=«K:ksec»
export AWS_DEFAULT_REGION=us-east-2

ACCOUNT_ID=«acct»
REPO="$ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/shop-api"
TAG=$(git rev-parse --short HEAD)
HOST=«I:ip»

echo ">> building $REPO:$TAG"
docker build -t "$REPO:$TAG" .
aws ecr get-login-password | docker login --username AWS --password-stdin "$REPO"
docker push "$REPO:$TAG"

echo ">> running migrations"
mysql -h "$HOST" -u shop -p"«P:my»" shop < db/migrations/latest.sql

echo ">> restarting"
sshpass -p '«P:ssh»' ssh -o StrictHostKeyChecking=no ubuntu@«I:ip» \
  "docker pull $REPO:$TAG && docker stop shop-api || true && docker run -d --rm --name shop-api -p 80:8080 $REPO:$TAG"

# last known good build, see CHANGELOG
# git checkout «sha»

if [[ "${ROLLBACK:-}" == "1" ]]; then
  read -s -p "DB password for rollback: " DB_PASS
  echo
  mysql -h "$HOST" -u shop -p"$DB_PASS" shop < db/rollback.sql
fi
echo ">> done"
""", v


@doc("ops/backup-db.sh")
def _d_backup_sh(g: Gen):
    v = dict(ip=g.ip(), my=g.pw(sym="%^*-_.+=@"), pg=g.rpw(14, 20), pgip=g.ip(), bk=g.ip(),
             md5=g.md5(), priv=g.priv_ip())
    return r"""
#!/bin/sh
# Nightly backups. Installed in /etc/cron.d/backups:
#   15 2 * * * root /opt/ops/backup-db.sh >> /var/log/backup-db.log 2>&1

DATE=$(date +%F)
DEST=/srv/backups/$DATE
mkdir -p "$DEST"

# --- MySQL (shop) ---
mysqldump -h «I:ip» -u backup --password='«P:my»' --single-transaction --routines shop \
  | gzip > "$DEST/shop.sql.gz"

# --- Postgres (analytics) ---
PGPASSWORD=«P:pg» pg_dump -h «I:pgip» -U backup -Fc analytics > "$DEST/analytics.dump"

# --- checksums ---
cd "$DEST" && md5sum *.gz *.dump > MD5SUMS
# empty gzip has md5 «md5» - warn if we see it
grep -q «md5» MD5SUMS && echo "WARNING: empty dump in $DEST"

# --- ship to the offsite box ---
rsync -az --delete -e "ssh -i /root/.ssh/backup_ed25519" /srv/backups/ backup@«I:bk»:/data/backups/
# local NAS copy
rsync -az /srv/backups/ admin@«priv»:/volume1/backups/

find /srv/backups -maxdepth 1 -type d -mtime +14 -exec rm -rf {} \;
echo "$(date -Is) backup finished"
""", v


@doc("install.sh")
def _d_install_sh(g: Gen):
    v = dict(sha=g.sha256(), sha2=g.sha256(), fp=" ".join(g.uhex(4) for _ in range(10)), ver="1." + str(g.int(2, 9)) + "." + str(g.int(0, 9)))
    return r"""
#!/usr/bin/env sh
# Installer for the `qk` CLI.
#   curl -fsSL https://get.qk.sh/install.sh | sh
set -eu

VERSION="${QK_VERSION:-«ver»}"
PREFIX="${PREFIX:-/usr/local}"
BASE="https://github.com/qk-cli/qk/releases/download/v$VERSION"

# sha256 checksums of the release archives
SHA256_linux_amd64="«sha»"
SHA256_darwin_arm64="«sha2»"

# release signing key fingerprint
GPG_FINGERPRINT="«fp»"

os=$(uname -s | tr '[:upper:]' '[:lower:]')
arch=$(uname -m)
case "$arch" in
  x86_64) arch=amd64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) echo "unsupported arch: $arch" >&2; exit 1 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

archive="qk_${os}_${arch}.tar.gz"
echo "Downloading $archive ..."
curl -fsSL -o "$tmp/$archive" "$BASE/$archive"

eval expected="\$SHA256_${os}_${arch}"
echo "$expected  $tmp/$archive" | sha256sum -c -

if command -v gpg >/dev/null 2>&1; then
  curl -fsSL -o "$tmp/$archive.asc" "$BASE/$archive.asc"
  gpg --recv-keys "$GPG_FINGERPRINT" && gpg --verify "$tmp/$archive.asc" "$tmp/$archive"
fi

tar -xzf "$tmp/$archive" -C "$tmp"
install -m 0755 "$tmp/qk" "$PREFIX/bin/qk"
echo "qk $VERSION installed to $PREFIX/bin/qk"
echo "Next: run 'qk login' (you will be prompted for your API token)"
""", v


@doc("deploy/Deploy-WebApp.ps1")
def _d_powershell(g: Gen):
    v = dict(pw=g.pw(sym="!#%&*?-_.+="), tenant=g.uuid(), app=g.uuid(), csec=g.azure_secret(),
             sk=g.azure_storage(), acct=g.pick(_CO1) + "deploystore", sub=g.uuid(), ip=g.ip())
    return r"""
<#
.SYNOPSIS
    Deploys the web app package to the IIS box and uploads artifacts to blob storage.
#>
param(
    [string]$Environment = "staging",
    [string]$PackagePath = ".\out\WebApp.zip"
)

$ErrorActionPreference = "Stop"

# Service principal used by the pipeline
$TenantId     = "«tenant»"
$AppId        = "«app»"
$ClientSecret = "«K:csec»"
$SubscriptionId = "«sub»"

$secure = ConvertTo-SecureString $ClientSecret -AsPlainText -Force
$spCred = New-Object System.Management.Automation.PSCredential($AppId, $secure)
Connect-AzAccount -ServicePrincipal -Credential $spCred -Tenant $TenantId | Out-Null
Set-AzContext -Subscription $SubscriptionId | Out-Null

$ctx = New-AzStorageContext -StorageAccountName "«acct»" -StorageAccountKey "«K:sk»"
Set-AzStorageBlobContent -File $PackagePath -Container "releases" -Blob "$Environment/WebApp.zip" -Context $ctx -Force

# IIS host (WinRM over HTTPS)
$server = "«I:ip»"
$password = ConvertTo-SecureString "«P:pw»" -AsPlainText -Force
$cred = New-Object System.Management.Automation.PSCredential("WEB01\deploy", $password)
# $cred = Get-Credential -Message "IIS deploy account"

Invoke-Command -ComputerName $server -UseSSL -Credential $cred -ScriptBlock {
    param($env)
    Import-Module WebAdministration
    Stop-WebAppPool -Name "WebApp-$env"
    Expand-Archive -Path "C:\deploy\WebApp.zip" -DestinationPath "C:\inetpub\WebApp-$env" -Force
    Start-WebAppPool -Name "WebApp-$env"
} -ArgumentList $Environment

Write-Host "Deployed to $Environment" -ForegroundColor Green
""", v


@doc("Makefile")
def _d_makefile(g: Gen):
    v = dict(pypi=g.pypi(), dpw=g.docker_pat(), reg=g.pw(sym="%^*-_.+=@"), dom=g.domain())
    return r"""
PACKAGE      := tinyjsonl
VERSION      := $(shell python -c "import tinyjsonl; print(tinyjsonl.__version__)")
GIT_SHA      := $(shell git rev-parse HEAD)
IMAGE        := ghcr.io/tinyjsonl/tinyjsonl
PYTHON       ?= python3

.PHONY: help test lint build publish docker docker-push clean

help:
	@grep -E '^[a-zA-Z_-]+:.*?## .*$$' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "%-16s %s\n", $$1, $$2}'

test: ## run the test-suite
	$(PYTHON) -m pytest -q

lint: ## ruff + mypy
	ruff check src tests
	mypy src

build: clean ## build sdist and wheel
	$(PYTHON) -m build

publish: build ## upload to PyPI
	twine upload -u __token__ -p «K:pypi» dist/*

publish-internal: build
	twine upload --repository-url https://pypi.«dom»/simple -u ci -p '«P:reg»' dist/*

docker:
	docker build --build-arg GIT_SHA=$(GIT_SHA) -t $(IMAGE):$(VERSION) .

docker-push: docker
	echo «K:dpw» | docker login -u tinyjsonlbot --password-stdin
	docker push $(IMAGE):$(VERSION)

clean:
	rm -rf build dist *.egg-info .pytest_cache
""", v


# ---- SQL ------------------------------------------------------------------------------------


@doc("db/init.sql")
def _d_init_sql(g: Gen):
    dom = g.domain()
    v = dict(app=g.pw(sym="!#%&*?-_.+="), ro=g.pw(sym="!#%&*?-_.+="), e1=g.email(dom), e2=g.email(dom), e3=g.email(),
             h1=g.bcrypt(), h2=g.bcrypt(), h3=g.argon2(), u1=g.uuid(), u2=g.uuid(), u3=g.uuid())
    return r"""
-- init.sql: run once as root when the container is first created
CREATE DATABASE IF NOT EXISTS helpdesk CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE USER IF NOT EXISTS 'helpdesk'@'%' IDENTIFIED BY '«P:app»';
GRANT ALL PRIVILEGES ON helpdesk.* TO 'helpdesk'@'%';

CREATE USER IF NOT EXISTS 'reporting'@'localhost' IDENTIFIED BY '«P:ro»';
GRANT SELECT ON helpdesk.* TO 'reporting'@'localhost';
FLUSH PRIVILEGES;

USE helpdesk;

CREATE TABLE users (
  id            CHAR(36)     NOT NULL PRIMARY KEY,
  email         VARCHAR(255) NOT NULL UNIQUE,
  password_hash VARCHAR(255) NOT NULL,
  role          ENUM('agent', 'admin', 'customer') NOT NULL DEFAULT 'customer',
  created_at    TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE password_resets (
  email      VARCHAR(255) NOT NULL,
  token      CHAR(64)     NOT NULL,
  created_at TIMESTAMP    NULL
);

-- seed accounts (hashes generated with bcrypt / argon2id)
INSERT INTO users (id, email, password_hash, role) VALUES
  ('«u1»', '«E:e1»', '«h1»', 'admin'),
  ('«u2»', '«E:e2»', '«h2»', 'agent'),
  ('«u3»', '«E:e3»', '«h3»', 'customer');
""", v


@doc("migrations/2016_04_legacy_members.sql")
def _d_legacy_sql(g: Gen):
    v = dict(e1=g.freemail(), p1=g.pw(sym="!#%&*?-_.+="), e2=g.freemail(), p2=g.pw(sym="!#%&*?-_.+="),
             ip1=g.ip(), ip2=g.ip(), ip3=g.priv_ip(), md5=g.md5(), pg=g.pw(sym="!#%&*?-_.+="))
    return r"""
-- Legacy member import from the old forum (phpBB 2 era).
-- Passwords were stored in clear text in the old system; they are re-hashed on first login.

ALTER USER forum_import WITH PASSWORD '«P:pg»';

CREATE TABLE legacy_members (
    member_id    SERIAL PRIMARY KEY,
    username     VARCHAR(64) NOT NULL,
    email        VARCHAR(255),
    plain_pass   VARCHAR(64),
    pass_md5     CHAR(32),
    last_ip      INET,
    joined       DATE
);

INSERT INTO legacy_members (username, email, plain_pass, pass_md5, last_ip, joined) VALUES
    ('skyrunner', '«E:e1»', '«P:p1»', NULL, '«I:ip1»', '2009-11-02'),
    ('m00nlight', '«E:e2»', '«P:p2»', NULL, '«I:ip2»', '2011-03-17'),
    ('guest_1187', NULL, NULL, '«md5»', '«ip3»', '2014-08-30');

-- audit trail of admin logins
CREATE TABLE admin_login_audit (
    id         BIGSERIAL PRIMARY KEY,
    admin_name TEXT NOT NULL,
    ip         INET NOT NULL,
    ok         BOOLEAN NOT NULL,
    at         TIMESTAMPTZ NOT NULL DEFAULT now()
);

INSERT INTO admin_login_audit (admin_name, ip, ok) VALUES
    ('root', '«I:ip1»', true),
    ('root', '127.0.0.1', true),
    ('backup', '0.0.0.0', false);

UPDATE legacy_members SET plain_pass = NULL WHERE plain_pass = '';
""", v


# ---- YAML / JSON / HCL configs --------------------------------------------------------------


@doc("docker-compose.yml")
def _d_compose(g: Gen):
    v = dict(pg=g.pw(sym="-_.!*~"), root=g.pw(sym="-_.!*~"), rabbit=g.pw(sym="-_.!*~"), pga=g.pw(sym="-_.!*~"),
             digest=g.sha256(), mail=g.email())
    return r"""
version: "3.9"

services:
  db:
    image: postgres:15.4-alpine
    restart: unless-stopped
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: «P:pg»
      POSTGRES_DB: app
    volumes:
      - pgdata:/var/lib/postgresql/data
    ports:
      - "127.0.0.1:5432:5432"

  mysql:
    image: mysql:8.0
    environment:
      MYSQL_ROOT_PASSWORD: "«P:root»"
      MYSQL_DATABASE: legacy

  redis:
    image: redis@sha256:«digest»
    command: ["redis-server", "--requirepass", "${REDIS_PASSWORD}"]

  rabbitmq:
    image: rabbitmq:3.12-management
    environment:
      RABBITMQ_DEFAULT_USER: app
      RABBITMQ_DEFAULT_PASS: «P:rabbit»
    ports:
      - "15672:15672"

  pgadmin:
    image: dpage/pgadmin4:8.1
    environment:
      PGADMIN_DEFAULT_EMAIL: «E:mail»
      PGADMIN_DEFAULT_PASSWORD: «P:pga»
    ports:
      - "5050:80"

  api:
    build: .
    depends_on: [db, redis, rabbitmq]
    environment:
      DATABASE_URL: postgres://app:«P:pg»@db:5432/app
      AMQP_URL: amqp://app:«P:rabbit»@rabbitmq:5672/
      REDIS_URL: redis://:${REDIS_PASSWORD}@redis:6379/0
      SECRET_KEY: ${SECRET_KEY:?set SECRET_KEY in .env}
    ports:
      - "0.0.0.0:8000:8000"

volumes:
  pgdata:
""", v


@doc(".github/workflows/release.yml")
def _d_gh_release(g: Gen):
    v = dict(hook=g.slack_path(), dpw=g.pw(sym="-_.!*~"), npm=g.npm(), sha=g.sha1(), sha2=g.sha1())
    return r"""
name: release

on:
  push:
    tags: ["v*.*.*"]

permissions:
  contents: write
  id-token: write

jobs:
  publish:
    runs-on: ubuntu-22.04
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@«sha» # v4.0.1
        with:
          node-version: 20
          registry-url: https://registry.npmjs.org
      - run: npm ci
      - run: npm test
      - name: Publish to npm
        run: |
          echo "//registry.npmjs.org/:_authToken=«K:npm»" > ~/.npmrc
          npm publish --access public

      - name: Docker login
        uses: docker/login-action@«sha2»
        with:
          registry: docker.io
          username: widgetsbot
          password: «P:dpw»
      - name: Build & push
        uses: docker/build-push-action@v5
        with:
          push: true
          tags: widgets/widgets:${{ github.ref_name }}

      - name: Configure AWS credentials
        uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: eu-west-1

      - name: Notify Slack
        if: always()
        env:
          SLACK_WEBHOOK_URL: https://hooks.slack.com/services/«K:hook»
        run: |
          curl -X POST -H 'Content-type: application/json' \
            --data "{\"text\":\"release ${GITHUB_REF_NAME}: ${{ job.status }}\"}" \
            "$SLACK_WEBHOOK_URL"
""", v


@doc(".gitlab-ci.yml")
def _d_gitlab_ci(g: Gen):
    v = dict(sonar=g.sonar(), glpat=g.glpat(), ip=g.ip(), dom=g.domain(), sha=g.sha1(),
             key=g.openssh_key())
    return r"""
stages:
  - test
  - quality
  - deploy

variables:
  DOCKER_DRIVER: overlay2
  SONAR_HOST_URL: "https://sonar.«dom»"
  SONAR_TOKEN: "«K:sonar»"
  DEPLOY_HOST: "«I:ip»"
  GIT_DEPTH: "0"

test:
  stage: test
  image: python:3.11
  script:
    - pip install -r requirements-dev.txt
    - pytest --cov=app --cov-report=xml

sonarqube:
  stage: quality
  image: sonarsource/sonar-scanner-cli:5.0
  script:
    - sonar-scanner -Dsonar.projectKey=app -Dsonar.login=$SONAR_TOKEN

mirror:
  stage: deploy
  script:
    - git push https://oauth2:«K:glpat»@gitlab.com/mirror-group/app.git HEAD:main
  only:
    - main

deploy:
  stage: deploy
  image: alpine:3.19
  before_script:
    - apk add --no-cache openssh-client
    - eval $(ssh-agent -s)
    - echo "$SSH_PRIVATE_KEY" | tr -d '\r' | ssh-add -
    - docker login -u gitlab-ci-token -p $CI_JOB_TOKEN $CI_REGISTRY
  script:
    - ssh -o StrictHostKeyChecking=no deploy@$DEPLOY_HOST "cd /srv/app && git fetch && git checkout «sha» && ./restart.sh"
  environment: production
  only:
    - main

# old deploy key, replaced by the SSH_PRIVATE_KEY variable (kept for reference)
# «K:key»
""", v


@doc("k8s/payments/secret.yaml")
def _d_k8s_secret(g: Gen):
    v = dict(pw=g.rpw(20, 30), sk=g.sk_live(), wh=g.whsec(), b64=base64.b64encode(b"payments").decode(),
             cm_uuid=g.uuid())
    return r"""
apiVersion: v1
kind: Secret
metadata:
  name: payments-secrets
  namespace: payments
  labels:
    app.kubernetes.io/name: payments
type: Opaque
data:
  DB_USER: «b64»
stringData:
  DB_PASSWORD: "«P:pw»"
  STRIPE_SECRET_KEY: "«K:sk»"
  STRIPE_WEBHOOK_SECRET: "«K:wh»"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: payments-config
  namespace: payments
data:
  DB_HOST: postgres.payments.svc.cluster.local
  DB_PORT: "5432"
  DB_PASSWORD_FILE: /var/run/secrets/payments/DB_PASSWORD
  TENANT_ID: "«cm_uuid»"
  LOG_LEVEL: info
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments
  namespace: payments
spec:
  replicas: 2
  selector:
    matchLabels:
      app: payments
  template:
    metadata:
      labels:
        app: payments
    spec:
      containers:
        - name: payments
          image: registry.gitlab.com/shop/payments:1.14.2
          envFrom:
            - configMapRef:
                name: payments-config
            - secretRef:
                name: payments-secrets
          ports:
            - containerPort: 8080
""", v


@doc("charts/app/values.yaml")
def _d_helm(g: Gen):
    v = dict(pw=g.pw(sym="-_.!*~"), pgpw=g.pw(sym="-_.!*~"), digest=g.sha256(), dom=g.domain(), rep=g.rpw(16, 24))
    return r"""
# Default values for app.
replicaCount: 2

image:
  repository: ghcr.io/acme/app
  tag: "2.7.0"
  digest: "sha256:«digest»"
  pullPolicy: IfNotPresent

ingress:
  enabled: true
  className: nginx
  hosts:
    - host: app.«dom»
      paths:
        - path: /
          pathType: Prefix
  tls:
    - secretName: app-tls
      hosts: [app.«dom»]

postgresql:
  enabled: true
  auth:
    username: app
    password: "«P:pw»"
    postgresPassword: "«P:pgpw»"
    database: app
    # existingSecret: app-postgresql
  primary:
    persistence:
      size: 20Gi
  readReplicas:
    extraEnvVars:
      - name: REPLICATION_PASSWORD
        value: «P:rep»

redis:
  enabled: true
  auth:
    enabled: true
    password: ""
    existingSecret: app-redis
    existingSecretPasswordKey: redis-password

env:
  - name: DATABASE_PASSWORD
    valueFrom:
      secretKeyRef:
        name: app-postgresql
        key: password
  - name: SENTRY_ENVIRONMENT
    value: production

resources:
  limits:
    cpu: 500m
    memory: 512Mi
""", v


@doc("ansible/group_vars/all.yml")
def _d_ansible(g: Gen):
    v = dict(become=g.pw(sym="-_.!*~"), mysql=g.pw(sym="-_.!*~"), ip1=g.ip(), ip2=g.ip(),
             vault="\n".join("          " + g.hex(80) for _ in range(5)), ntp_priv=g.priv_ip(),
             dom=g.domain())
    return r"""
---
# group_vars/all.yml
ansible_user: deploy
ansible_become: true
ansible_become_pass: "«P:become»"
ansible_python_interpreter: /usr/bin/python3

timezone: Europe/Berlin
ntp_servers:
  - 0.de.pool.ntp.org
  - «ntp_priv»
dns_nameservers:
  - 1.1.1.1
  - 9.9.9.9

mysql_root_password: "«P:mysql»"
mysql_app_password: "{{ vault_mysql_app_password }}"
mysql_bind_address: 0.0.0.0

monitoring_allowed_ips:
  - «I:ip1»/32
  - «I:ip2»
  - 10.0.0.0/8

letsencrypt_email: "hostmaster@{{ domain }}"
domain: «dom»

vault_smtp_password: !vault |
          $ANSIBLE_VAULT;1.1;AES256
«vault»

users:
  - name: alice
    shell: /bin/bash
    password: "{{ vault_alice_password | password_hash('sha512') }}"
    groups: [sudo]
""", v


@doc("infra/main.tf")
def _d_terraform(g: Gen):
    v = dict(kid=g.aws_id(), ksec=g.aws_secret(), dbpw=g.pw(sym="-_.!*~#"), arn=g.kms_arn(),
             ami="ami-0" + g.hex(16), sg="sg-0" + g.hex(16), ip=g.ip())
    return r"""
terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.31"
    }
  }
}

provider "aws" {
  region     = "eu-west-1"
  access_key = "«K:kid»"
  secret_key = "«K:ksec»"
}

variable "db_password" {
  description = "Master password for the RDS instance"
  type        = string
  default     = "«P:dbpw»"
  sensitive   = true
}

resource "aws_db_instance" "main" {
  identifier          = "app-db"
  engine              = "postgres"
  engine_version      = "15.4"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "app"
  password            = var.db_password
  storage_encrypted   = true
  kms_key_id          = "«arn»"
  skip_final_snapshot = true
}

resource "aws_instance" "bastion" {
  ami                    = "«ami»"
  instance_type          = "t3.nano"
  vpc_security_group_ids = ["«sg»"]
  tags = { Name = "bastion" }
}

resource "aws_security_group_rule" "office_ssh" {
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = ["«I:ip»/32"]
  security_group_id = "«sg»"
}

resource "aws_security_group_rule" "https" {
  type              = "ingress"
  from_port         = 443
  to_port           = 443
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = "«sg»"
}
""", v


@doc("monitoring/alertmanager.yml")
def _d_alertmanager(g: Gen):
    dom = g.domain()
    v = dict(user=g.email(dom, "alerts"), pw=g.pw(sym="-_.!*~"), hook=g.slack_path(), pd=g.hex(32),
             oncall=g.email(dom), dba=g.email(dom), dom=dom)
    return r"""
global:
  resolve_timeout: 5m
  smtp_smarthost: 'smtp.«dom»:587'
  smtp_from: '«E:user»'
  smtp_auth_username: '«E:user»'
  smtp_auth_password: '«P:pw»'
  slack_api_url: 'https://hooks.slack.com/services/«K:hook»'

route:
  receiver: team-ops
  group_by: ['alertname', 'cluster']
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - matchers: [severity="critical"]
      receiver: pagerduty
    - matchers: [team="db"]
      receiver: dba

receivers:
  - name: team-ops
    slack_configs:
      - channel: '#ops-alerts'
        send_resolved: true
        title: '{{ .CommonLabels.alertname }}'
    email_configs:
      - to: '«E:oncall»'

  - name: dba
    email_configs:
      - to: '«E:dba»'
        send_resolved: true

  - name: pagerduty
    pagerduty_configs:
      - routing_key: '«K:pd»'
        severity: '{{ .CommonLabels.severity }}'

inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: ['alertname', 'instance']
""", v


@doc(".vscode/settings.json")
def _d_vscode(g: Gen):
    v = dict(p1=g.pw(sym="!#%&*?-_.+="), ip1=g.ip(), p2=g.rpw(14, 20), ip2=g.ip())
    return r"""
{
  "editor.formatOnSave": true,
  "editor.rulers": [100],
  "files.exclude": {
    "**/__pycache__": true,
    "**/.pytest_cache": true
  },
  "python.defaultInterpreterPath": ".venv/bin/python",
  "python.testing.pytestEnabled": true,
  "sqltools.connections": [
    {
      "name": "prod (read only)",
      "driver": "PostgreSQL",
      "server": "«I:ip1»",
      "port": 5432,
      "database": "shop",
      "username": "readonly",
      "password": "«P:p1»",
      "previewLimit": 50
    },
    {
      "name": "legacy mysql",
      "driver": "MySQL",
      "server": "«I:ip2»",
      "port": 3306,
      "database": "shop_legacy",
      "username": "root",
      "password": "«P:p2»"
    },
    {
      "name": "local",
      "driver": "PostgreSQL",
      "server": "localhost",
      "port": 5432,
      "database": "shop",
      "username": "postgres",
      "askForPassword": true
    }
  ],
  "[python]": {
    "editor.defaultFormatter": "charliermarsh.ruff"
  }
}
""", v


@doc("api/openapi.yaml")
def _d_openapi(g: Gen):
    v = dict(u1=g.uuid(), u2=g.uuid(), ip=g.doc_ip())
    return r"""
openapi: 3.0.3
info:
  title: Accounts API
  version: 1.4.0
servers:
  - url: https://api.accounts.local/v1
components:
  securitySchemes:
    ApiKeyAuth:
      type: apiKey
      in: header
      name: X-API-Key
    bearerAuth:
      type: http
      scheme: bearer
      bearerFormat: JWT
  schemas:
    LoginRequest:
      type: object
      required: [email, password]
      properties:
        email:
          type: string
          format: email
        password:
          type: string
          format: password
          minLength: 8
          example: "********"
    User:
      type: object
      properties:
        id:
          type: string
          format: uuid
          example: «u1»
        lastLoginIp:
          type: string
          format: ipv4
          example: «ip»
        passwordChangedAt:
          type: string
          format: date-time
    ApiKey:
      type: object
      properties:
        id:
          type: string
          example: «u2»
        prefix:
          type: string
          example: "ak_live_"
        key:
          type: string
          description: Only returned once, when the key is created.
          example: "<your-api-key>"
paths:
  /auth/login:
    post:
      summary: Log in with email and password
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/LoginRequest'
      responses:
        "200":
          description: OK
  /users/me:
    get:
      security:
        - bearerAuth: []
        - ApiKeyAuth: []
      responses:
        "200":
          description: The current user
""", v


# ---- Markdown / docs ------------------------------------------------------------------------


@doc("README.md")
def _d_readme_tutorial(g: Gen):
    v = dict(adm=g.email(g.domain(), "admin"), apw=g.pw(sym="!#%&*?-_.+="), ip=g.ip(), root=g.pw(sym="%^*-_.+=@"),
             yt=g.yt(), digest=g.sha256(), ver=g.ver4(), user=g.first() + g.last()[:2])
    return r"""
# Employee Management System (Spring Boot + React)

Full-stack CRUD app built for the *Web Programming 2* course. Backend is Spring Boot 3,
frontend is React 18 with Vite, database is MySQL 8.

▶ Demo video: https://www.youtube.com/watch?v=«yt»

## Live demo

The demo runs on my university VPS: http://«I:ip»:3000

Default login:

| role  | email | password |
|-------|-------|----------|
| admin | «E:adm» | `«P:apw»` |
| user  | register a new account | - |

## Running locally

```bash
git clone git@github.com:«user»/employee-management.git
cd employee-management
docker pull mysql:8.0@sha256:«digest»
docker compose up -d
```

Connect to the database:

```bash
mysql -h «I:ip» -P 3306 -u root -p«P:root» ems
```

Then start the backend and the frontend:

```bash
cd backend && ./mvnw spring-boot:run
cd frontend && npm i && npm i -D vite@5.0.10 && npm run dev
```

## Troubleshooting

* `Communications link failure`: the DB container is not up yet, wait ~20s.
* DNS problems inside Docker on Windows: set `"dns": ["1.1.1.1", "8.8.8.8"]` in the daemon settings.
* Tested with MySQL Workbench «ver» on Windows 10 and Ubuntu 22.04.
* If `npm install` fails, check that `node -v` is at least 18.17.1.

## Screenshots

![login](docs/img/login@2x.png)
![dashboard](docs/img/dashboard@2x.png)
""", v


@doc("docs/api-examples.md")
def _d_api_md(g: Gen):
    ba_user, ba_pw = g.pick(["ops", "metrics", "grafana"]), g.pw(sym="!#%&*?-_.+=")
    v = dict(oa=g.openai(), ant=g.anthropic(), es=g.pw(sym="%^-_.+="), ip=g.ip(), basic=base64.b64encode(f"{ba_user}:{ba_pw}".encode()).decode(),
             dom=g.domain(), cip=g.ip(), rid=g.uuid())
    return r"""
# API examples

All examples assume `export OPENAI_API_KEY=<your key>` has been run first; a few of them
still have the key from the hackathon inlined, sorry.

## Chat completion

```bash
curl https://api.openai.com/v1/chat/completions \
  -H "Content-Type: application/json" \
  -H "Authorization: Bearer «K:oa»" \
  -d '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello!"}]}'
```

## Claude

```bash
curl https://api.anthropic.com/v1/messages \
  -H "x-api-key: «K:ant»" \
  -H "anthropic-version: 2023-06-01" \
  -H "content-type: application/json" \
  -d '{"model": "claude-3-5-sonnet-20240620", "max_tokens": 1024, "messages": [{"role": "user", "content": "Hi"}]}'
```

The same with the key from the environment:

```bash
curl https://api.anthropic.com/v1/messages -H "x-api-key: $ANTHROPIC_API_KEY" ...
```

## Elasticsearch

```bash
curl -u elastic:«P:es» "https://«I:ip»:9200/_cat/indices?v"
```

## Internal metrics endpoint

```bash
curl -H "Authorization: Basic «K:basic»" https://metrics.«dom»/api/v1/query?query=up
```

Example response of `/whoami`:

```json
{
  "request_id": "«rid»",
  "client_ip": "«I:cip»",
  "forwarded_for": ["10.0.4.17", "«I:cip»"],
  "token": "<redacted>"
}
```
""", v


@doc("AUTHORS.md")
def _d_authors(g: Gen):
    people = []
    for _ in range(5):
        f, la = g.first(), g.last()
        people.append((f"{f.capitalize()} {la.capitalize()}", f, la))
    v = {}
    for i, (n, f, la) in enumerate(people):
        v[f"n{i}"] = n
        v[f"h{i}"] = f + la[:3]
    v.update(e0=g.email(local=f"{people[0][1]}.{people[0][2]}"), e1=g.gh_noreply(), e2=g.idn_email(),
             e3=g.sub_email(), e4=g.freemail(), e4b=g.email(local=people[4][1]), sha=g.sha1()[:7], sha2=g.sha1()[:7])
    return r"""
# Authors

This project was started by «n0» in 2016 and is maintained by the people below.
Email addresses are listed so you can reach us about security issues; for everything
else please open an issue.

## Maintainers

- «n0» <«E:e0»> (@«h0»)
- «n1» <«E:e1»> (@«h1»)

## Contributors

- «n2» <«E:e2»> - German translation, date parsing
- «n3» <«E:e3»> - Windows support (@«h3»)
- «n4» <«E:e4»>, later <«E:e4b»> - CI, packaging

## Thanks

- @«h2» for the original `--watch` implementation («sha»)
- @«h4» for reporting the path traversal bug fixed in «sha2»
- Everyone who sent patches to the mailing list before we moved to GitHub.

Annotations used in the code such as `@deprecated` and `@since` follow the JSDoc conventions;
see CONTRIBUTING.md.
""", v


# ---- misc configs and scripts ---------------------------------------------------------------


@doc("deploy/nginx/site.conf")
def _d_nginx(g: Gen):
    v = dict(ip1=g.ip(), ip2=g.ip(), ip3=g.ip(), office=g.ip(), b64=base64.b64encode(f"grafana:{g.pw(sym='!#%*-_.')}".encode()).decode(),
             dom=g.domain(), priv=g.priv_ip(), ip6=g.ip6())
    return r"""
upstream app_backend {
    least_conn;
    server «I:ip1»:8080 max_fails=3 fail_timeout=30s;
    server «I:ip2»:8080 max_fails=3 fail_timeout=30s;
    server «I:ip3»:8080 backup;
    keepalive 32;
}

server {
    listen 80;
    listen [::]:80;
    server_name «dom» www.«dom»;
    return 301 https://$host$request_uri;
}

server {
    listen 443 ssl http2;
    listen [::]:443 ssl http2;
    server_name «dom» www.«dom»;

    ssl_certificate     /etc/letsencrypt/live/«dom»/fullchain.pem;
    ssl_certificate_key /etc/letsencrypt/live/«dom»/privkey.pem;
    ssl_protocols TLSv1.2 TLSv1.3;

    resolver 8.8.8.8 1.1.1.1 valid=300s;
    resolver_timeout 5s;

    client_max_body_size 20m;

    location / {
        proxy_pass http://app_backend;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
    }

    location /grafana/ {
        proxy_pass http://«priv»:3000/;
        proxy_set_header Authorization "Basic «K:b64»";
    }

    location /admin/ {
        allow «I:office»;
        allow «I:ip6»;
        allow 10.0.0.0/8;
        allow 127.0.0.1;
        deny all;
        auth_basic "Restricted";
        auth_basic_user_file /etc/nginx/.htpasswd;
        proxy_pass http://app_backend;
    }
}
""", v


@doc("cgi-bin/monthly_report.pl")
def _d_perl(g: Gen):
    dom = g.domain()
    v = dict(ip=g.ip(), pw=g.pw(sym="!#%&*?-_.+="), frm=g.email(dom, "reports"), to1=g.email(dom), to2=g.email(dom),
             smtp=g.ip())
    return r"""
#!/usr/bin/perl -w
# monthly_report.pl -- mails the sales summary to management
# $Id: monthly_report.pl,v 1.14 2008/02/11 09:12:44 jk Exp $

use strict;
use DBI;
use Net::SMTP;
use POSIX qw(strftime);

my $dsn  = "DBI:mysql:database=sales;host=«I:ip»;port=3306";
my $user = "report";
my $pass = $ENV{'REPORT_DB_PASS'} || '«P:pw»';

my $from = '«E:frm»';
my @to   = ('«E:to1»', '«E:to2»');

my $dbh = DBI->connect($dsn, $user, $pass, { RaiseError => 1, AutoCommit => 1 })
    or die "Cannot connect: $DBI::errstr";

my $month = strftime("%Y-%m", localtime(time - 86400 * 28));
my $sth = $dbh->prepare(q{
    SELECT region, SUM(amount) FROM orders
    WHERE DATE_FORMAT(created, '%Y-%m') = ? GROUP BY region
});
$sth->execute($month);

my $body = "Sales for $month\n\n";
while (my ($region, $sum) = $sth->fetchrow_array) {
    $body .= sprintf("%-20s %12.2f\n", $region, $sum);
}
$dbh->disconnect;

my $smtp = Net::SMTP->new('«I:smtp»', Timeout => 30) or die "SMTP: $!";
$smtp->mail($from);
$smtp->to(@to);
$smtp->data();
$smtp->datasend("From: $from\n");
$smtp->datasend("To: " . join(', ', @to) . "\n");
$smtp->datasend("Subject: Monthly sales $month\n\n");
$smtp->datasend($body);
$smtp->dataend();
$smtp->quit;
""", v


@doc(".env.example")
def _d_env_example(g: Gen):
    v = dict()
    return r"""
# Copy this file to .env and fill in the values. Never commit .env!

NODE_ENV=development
PORT=3000
APP_URL=http://localhost:3000

# Database
DATABASE_URL=postgresql://USER:PASSWORD@localhost:5432/app
DB_PASSWORD=
DB_POOL_MAX=10

# Auth
JWT_SECRET=<generate with: openssl rand -hex 32>
SESSION_SECRET=
PASSWORD_RESET_TTL_MINUTES=30

# Stripe (use test keys locally)
STRIPE_SECRET_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx
STRIPE_WEBHOOK_SECRET=whsec_...
STRIPE_PUBLISHABLE_KEY=pk_test_xxxxxxxxxxxxxxxxxxxxxxxx

# AWS (the examples from the AWS docs work with localstack)
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
AWS_REGION=us-east-1

# Third-party APIs
OPENAI_API_KEY=your-openai-api-key-here
SENDGRID_API_KEY=SG.your_key
GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
SLACK_WEBHOOK_URL=https://hooks.slack.com/services/XXX/YYY/ZZZ

# SMTP
SMTP_HOST=smtp.mailtrap.io
SMTP_USER=
SMTP_PASSWORD=${SMTP_PASSWORD}
""", v


@doc("Dockerfile")
def _d_dockerfile(g: Gen):
    dom = g.domain()
    v = dict(digest=g.sha256(), mail=g.email(dom), pip=g.pw(sym="-_.!*~"), tok=g.hex(40), ww=g.pw(sym="-_.!*~"),
             dsn=g.sentry_dsn(), dom=dom)
    return r"""
# syntax=docker/dockerfile:1.6
FROM python:3.11-slim@sha256:«digest» AS base

LABEL maintainer="«E:mail»" \
      org.opencontainers.image.source="https://github.com/«dom»/weerbericht"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

# interne package-index (Nexus)
ARG PIP_EXTRA_INDEX_URL=https://deploy:«P:pip»@nexus.«dom»/repository/pypi-internal/simple

WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# TODO: naar docker secrets verplaatsen
ENV KNMI_API_TOKEN=«K:tok» \
    DB_GEBRUIKER=weer \
    DB_WACHTWOORD=«P:ww» \
    SENTRY_DSN=«dsn»

RUN useradd -m app
USER app

EXPOSE 8000
HEALTHCHECK --interval=30s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["gunicorn", "weerbericht.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
""", v


@doc("app/notificari.py")
def _d_notif_ro(g: Gen):
    dom = g.domain()
    v = dict(tw=g.hex(32), mg=g.mailgun(), mc=g.mailchimp(), smtp_user=g.email(dom, "notificari"), parola=g.pw(sym="!#%&*?-_.+="),
             to=g.email(dom), dom=dom, phone="+40 7" + g.digits(2) + " " + g.digits(3) + " " + g.digits(3))
    return r'''
# -*- coding: utf-8 -*-
"""Trimiterea notificarilor catre clienti (SMS, email, newsletter)."""
import os
import smtplib
from email.mime.text import MIMEText

import mailchimp_marketing as MailchimpMarketing
import requests
from twilio.rest import Client

# Twilio - SID-ul contului vine din mediu, token-ul e aici temporar
TWILIO_ACCOUNT_SID = os.environ["TWILIO_ACCOUNT_SID"]
TWILIO_AUTH_TOKEN = "«K:tw»"
TWILIO_FROM = "+1 415 555 0132"

MAILGUN_DOMAIN = "mg.«dom»"
MAILGUN_API_KEY = "«K:mg»"

MAILCHIMP_API_KEY = "«K:mc»"
MAILCHIMP_LIST_ID = "a1b2c3d4e5"

SMTP_SERVER = "mail.«dom»"
utilizator_smtp = "«E:smtp_user»"
parola_smtp = "«P:parola»"


def trimite_sms(numar: str, text: str) -> str:
    client = Client(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)
    mesaj = client.messages.create(body=text, from_=TWILIO_FROM, to=numar)
    return mesaj.sid


def trimite_email_mailgun(catre: str, subiect: str, text: str) -> int:
    r = requests.post(
        f"https://api.eu.mailgun.net/v3/{MAILGUN_DOMAIN}/messages",
        auth=("api", MAILGUN_API_KEY),
        data={"from": f"Notificari <noreply@{MAILGUN_DOMAIN}>", "to": [catre], "subject": subiect, "text": text},
        timeout=10,
    )
    return r.status_code


def trimite_email_smtp(catre: str, subiect: str, text: str) -> None:
    msg = MIMEText(text, "plain", "utf-8")
    msg["Subject"], msg["From"], msg["To"] = subiect, utilizator_smtp, catre
    with smtplib.SMTP(SMTP_SERVER, 587) as s:
        s.starttls()
        s.login(utilizator_smtp, parola_smtp)
        s.send_message(msg)


def aboneaza_newsletter(email: str) -> None:
    mc = MailchimpMarketing.Client()
    mc.set_config({"api_key": MAILCHIMP_API_KEY, "server": MAILCHIMP_API_KEY.split("-")[-1]})
    mc.lists.add_list_member(MAILCHIMP_LIST_ID, {"email_address": email, "status": "pending"})


if __name__ == "__main__":
    trimite_sms("«phone»", "Test")
    trimite_email_smtp("«E:to»", "Test", "Salut!")
''', v


@doc("ops/srodowisko.sh")
def _d_cloud_env_pl(g: Gen):
    v = dict(vault=g.vault(), cf=g.cf_token(), zone=g.hex(32), acct=g.hex(32), do=g.do_token(), hk=g.heroku(),
             tfc=g.tfc(), haslo=g.pw(sym="%^-_.+=@"), panel=g.pw(sym="%^-_.+=@"), gk=g.hex(37), mail=g.freemail())
    return r"""
#!/usr/bin/env bash
# Zmienne środowiskowe dla skryptów w ops/ (source ops/srodowisko.sh)
# UWAGA: nie commitować! (za późno...)

export VAULT_ADDR=https://vault.internal:8200
export VAULT_TOKEN=«K:vault»

# Cloudflare - token z uprawnieniami DNS:Edit dla strefy
export CLOUDFLARE_API_TOKEN=«K:cf»
export CF_ZONE_ID=«zone»
export CF_ACCOUNT_ID=«acct»
# stary globalny klucz (konto «E:mail»), do usunięcia
export CF_API_KEY=«K:gk»

export DIGITALOCEAN_TOKEN=«K:do»
export HEROKU_API_KEY=«K:hk»
export TF_TOKEN_app_terraform_io=«K:tfc»

# baza danych (produkcja)
export DB_HOST=db-prod.internal
export DB_UZYTKOWNIK=sklep
export HASLO_BAZY='«P:haslo»'
# hasło do panelu administracyjnego: «P:panel»

# token do GitHub Container Registry - pobierany z Vault
export GHCR_TOKEN="$(vault kv get -field=token secret/ci/ghcr)"

alias tf='terraform -chdir=infra'
alias dns-list='curl -s -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" https://api.cloudflare.com/client/v4/zones/$CF_ZONE_ID/dns_records | jq ".result[].name"'

echo "środowisko załadowane (vault: $VAULT_ADDR)"
""", v


@doc("src/locales/messages.json")
def _d_i18n(g: Gen):
    v = dict()
    return r"""
{
  "en": {
    "login.title": "Sign in",
    "login.email": "Email address",
    "login.password": "Password",
    "login.forgotPassword": "Forgot your password?",
    "login.passwordTooShort": "Password must be at least {{min}} characters",
    "register.confirmPassword": "Confirm password"
  },
  "fr": {
    "login.title": "Connexion",
    "login.email": "Adresse e-mail",
    "login.password": "Mot de passe",
    "login.forgotPassword": "Mot de passe oublié ?",
    "login.passwordTooShort": "Le mot de passe doit contenir au moins {{min}} caractères",
    "register.confirmPassword": "Confirmez le mot de passe"
  },
  "de": {
    "login.title": "Anmelden",
    "login.email": "E-Mail-Adresse",
    "login.password": "Passwort",
    "login.forgotPassword": "Passwort vergessen?",
    "login.passwordTooShort": "Das Passwort muss mindestens {{min}} Zeichen lang sein",
    "register.confirmPassword": "Passwort bestätigen"
  },
  "nl": {
    "login.title": "Inloggen",
    "login.password": "Wachtwoord",
    "login.forgotPassword": "Wachtwoord vergeten?"
  },
  "pl": {
    "login.title": "Zaloguj się",
    "login.password": "Hasło",
    "login.forgotPassword": "Nie pamiętasz hasła?"
  },
  "es": {
    "login.title": "Iniciar sesión",
    "login.password": "Contraseña",
    "login.forgotPassword": "¿Olvidaste tu contraseña?"
  },
  "pt-BR": {
    "login.title": "Entrar",
    "login.password": "Senha",
    "login.forgotPassword": "Esqueceu a senha?"
  },
  "ro": {
    "login.title": "Autentificare",
    "login.password": "Parola",
    "login.forgotPassword": "Ai uitat parola?"
  },
  "it": {
    "login.password": "Password",
    "login.forgotPassword": "Password dimenticata?"
  }
}
""", v


@doc("credentials/bigquery-loader.json")
def _d_gcp_sa(g: Gen):
    proj = f"{g.pick(_CO1)}-{g.pick(['prod', 'analytics', 'data', 'ml'])}-{g.digits(6)}"
    sa = f"{g.pick(['bq-loader', 'etl-runner', 'dataflow-worker', 'airflow'])}@{proj}.iam.gserviceaccount.com"
    v = dict(sa=sa, proj=proj, key=g.pkcs8_key().replace("\n", "\\n"), cid=g.digits(21), enc=quote(sa, safe=""))
    return r"""
{
  "type": "service_account",
  "project_id": "«proj»",
  "private_key": "«K:key»\n",
  "client_email": "«E:sa»",
  "client_id": "«cid»",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
  "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/«enc»",
  "universe_domain": "googleapis.com"
}
""", v


@doc("trabalho-bd/conexao.py")
def _d_pt_conexao(g: Gen):
    v = dict(ip=g.ip(), senha=g.pw(sym="!#%&*?-_.+="), prof=g.email(g.pick(["usp.br", "unicamp.br", "ufrj.br", "ufmg.br"])),
             senha_email=g.app_pw(), aluno=g.freemail())
    return r'''
# -*- coding: utf-8 -*-
"""
Trabalho de Banco de Dados - Sistema de Biblioteca
Grupo: Ana, Bruno, Carla
Professor: «E:prof»
"""
import smtplib

import mysql.connector
from mysql.connector import Error

HOST = "«I:ip»"   # servidor do laboratório
USUARIO = "biblioteca"
SENHA = "«P:senha»"
BANCO = "biblioteca"

EMAIL_REMETENTE = "«E:aluno»"
SENHA_EMAIL = "«P:senha_email»"  # senha de app do gmail


def conectar():
    try:
        conexao = mysql.connector.connect(host=HOST, user=USUARIO, password=SENHA, database=BANCO)
        if conexao.is_connected():
            return conexao
    except Error as e:
        print("Erro ao conectar ao MySQL:", e)
    return None


def listar_livros():
    conexao = conectar()
    cursor = conexao.cursor()
    cursor.execute("SELECT id, titulo, autor FROM livros ORDER BY titulo")
    for (id_, titulo, autor) in cursor.fetchall():
        print(f"{id_:4d}  {titulo:40s}  {autor}")
    cursor.close()
    conexao.close()


def enviar_lembrete(destinatario, titulo):
    with smtplib.SMTP("smtp.gmail.com", 587) as s:
        s.starttls()
        s.login(EMAIL_REMETENTE, SENHA_EMAIL)
        s.sendmail(EMAIL_REMETENTE, destinatario, f"Subject: Devolucao\n\nDevolva o livro {titulo}.")


def alterar_senha_usuario(usuario_id, nova_senha):
    # nova_senha vem do formulario; aqui so guardamos o hash
    conexao = conectar()
    cursor = conexao.cursor()
    cursor.execute("UPDATE usuarios SET senha_hash = SHA2(%s, 256) WHERE id = %s", (nova_senha, usuario_id))
    conexao.commit()


if __name__ == "__main__":
    listar_livros()
''', v


@doc("app/config/bdd.php")
def _d_fr_php(g: Gen):
    v = dict(ip=g.ip(), mdp=g.pw(sym="!#%&*?-_.+="), adm=g.email(g.pick(["orange.fr", "free.fr", "laposte.net", "sfr.fr"])),
             mdp_smtp=g.pw(sym="!#%&*?-_.+="), ip6=g.ip6())
    return r"""
<?php
/**
 * Configuration de la base de données et de l'envoi de courriels.
 * Projet : gestion des adhérents de l'association
 */

// Connexion à la base
$serveur      = '«I:ip»';
$utilisateur  = 'asso';
$mot_de_passe = '«P:mdp»';
$base         = 'adherents';

// serveur de secours (IPv6)
$serveur_secours = '«I:ip6»';

try {
    $pdo = new PDO("mysql:host=$serveur;dbname=$base;charset=utf8", $utilisateur, $mot_de_passe);
    $pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
} catch (PDOException $e) {
    die('Erreur : ' . $e->getMessage());
}

// Courriel
$courriel_admin   = '«E:adm»';
$smtp_hote        = 'smtp.orange.fr';
$smtp_utilisateur = '«E:adm»';
$smtp_mdp         = '«P:mdp_smtp»';

// Longueur minimale du mot de passe des adhérents
define('MDP_LONGUEUR_MIN', 10);
define('URL_REINITIALISATION_MDP', '/compte/mot-de-passe-oublie.php');

function verifier_mot_de_passe($saisi, $hash) {
    return password_verify($saisi, $hash);
}
""", v


@doc("config/produccion.yml")
def _d_es_yml(g: Gen):
    dom = g.domain()
    v = dict(ip=g.ip(), pw=g.pw(sym="-_.!*~"), mail=g.email(dom), mpw=g.pw(sym="-_.!*~"), tok=g.ghp(), dom=dom,
             ip2=g.ip())
    return r"""
# Configuración de producción - tienda en línea
servidor:
  puerto: 8080
  host: 0.0.0.0

base_de_datos:
  servidor: «I:ip»
  puerto: 5432
  nombre: tienda
  usuario: tienda_app
  contraseña: "«P:pw»"
  max_conexiones: 20

replica:
  servidor: «I:ip2»
  usuario: lectura
  contraseña: ${REPLICA_CONTRASENA}

correo:
  smtp: smtp.«dom»
  puerto: 465
  usuario: «E:mail»
  contrasena: "«P:mpw»"
  remitente: "Tienda <«E:mail»>"

integraciones:
  github:
    # token para publicar releases desde el servidor
    token: «K:tok»
  pagos:
    clave_secreta: ${PAGOS_CLAVE_SECRETA}

seguridad:
  longitud_minima_contrasena: 10
  intentos_maximos: 5
  url_restablecer_contrasena: /cuenta/restablecer
""", v


# ------------------------------------------------------------------------------ build and check

KINDS = ("email", "ip_address", "key", "password")


def _build(seed: int) -> list[tuple[LabelledDoc, list[str]]]:
    out = []
    for name, fn in _DOCS:
        g = Gen(random.Random(f"testset8:{seed}:{name}"))
        template, vals = fn(g)
        marked = fill(template, vals)
        values = [m.group(2) for m in _MARKED.finditer(marked)]
        out.append((_parse(f"ts8/{name}", marked), values))
    return out


def testset8_documents(seed: int = SEED) -> list[LabelledDoc]:
    """The labelled documents of set #8, deterministic for ``seed``."""
    return [d for d, _ in _build(seed)]


def _occurrences(text: str, value: str):
    start = 0
    while True:
        i = text.find(value, start)
        if i < 0:
            return
        j = i + len(value)
        before = text[i - 1] if i > 0 else ""
        after = text[j] if j < len(text) else ""
        if not (before.isalnum() and value[0].isalnum()) and not (after.isalnum() and value[-1].isalnum()):
            yield i, j
        start = i + 1


def _check(seed: int = SEED) -> list[LabelledDoc]:
    built = _build(seed)
    docs = [d for d, _ in built]
    names = [d.name for d in docs]
    dup = [n for n, c in Counter(names).items() if c > 1]
    assert not dup, f"duplicate names: {dup}"
    for d, values in built:
        for ch in "⟦⟧«»":
            assert ch not in d.text, f"{d.name}: marker character {ch!r} left in text"
        assert len(d.spans) == len(values), d.name
        spans = sorted(d.spans, key=lambda s: (s[1], s[2]))
        prev_end = -1
        for (kind, s, e), val in zip(d.spans, values):
            assert kind in KINDS, (d.name, kind)
            assert 0 <= s < e <= len(d.text), (d.name, kind, s, e)
            got = d.text[s:e]
            assert got == val, (d.name, kind, got, val)
            assert got == got.strip() and got, (d.name, kind, repr(got))
            if kind != "key":
                assert "\n" not in got, (d.name, kind, got)
            if kind == "ip_address":
                addr = ipaddress.ip_address(got)
                assert addr.is_global and got not in RESOLVERS, (d.name, got)
            if kind == "email":
                assert got.count("@") == 1 and "." in got.split("@")[1], (d.name, got)
                assert not _RESERVED_MAIL.search(got), (d.name, got)
        for kind, s, e in spans:
            assert s >= prev_end, f"{d.name}: overlapping spans at {s}"
            prev_end = e
        for kind, s, e in d.spans:
            val = d.text[s:e]
            for i, j in _occurrences(d.text, val):
                assert any(s2 <= i and j <= e2 for _, s2, e2 in d.spans), (
                    f"{d.name}: unlabelled repeat of {kind} {val!r} at {i}")
        assert "example.com" not in d.text and "example.org" not in d.text, d.name
    return docs


if __name__ == "__main__":
    docs = _check()
    per_kind = Counter(k for d in docs for k, _, _ in d.spans)
    empty = [d.name for d in docs if not d.spans]
    lines = [d.text.count("\n") + 1 for d in docs]
    print(f"documents: {len(docs)}")
    print(f"spans: {sum(per_kind.values())}  " + "  ".join(f"{k}={per_kind.get(k, 0)}" for k in KINDS))
    print(f"documents without positives: {len(empty)}")
    for n in empty:
        print(f"  {n}")
    print(f"lines per document: min={min(lines)} max={max(lines)} mean={sum(lines) / len(lines):.1f}")
    if "-v" in sys.argv:
        for d in docs:
            c = Counter(k for k, _, _ in d.spans)
            print(f"{d.name:55s} " + " ".join(f"{k[:2]}={c.get(k, 0)}" for k in KINDS))
    print("check: ok")
