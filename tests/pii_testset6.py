"""Blind labelled test set #6 for the PII/secret scrubber: configuration, infrastructure, data and
documentation files as they are found in public repositories (one document = one file, named by
a realistic path): .env files, docker-compose, Kubernetes manifests, Helm values, Ansible,
Terraform, CloudFormation, CI configs, Spring/Maven/NuGet/npm/PyPI/pip credentials, .netrc,
.git-credentials, AWS/kube/ssh configs, Dockerfiles, web-server/proxy configs, database and broker
configs, monitoring configs, notebooks, SQL dumps, CSV fixtures, logs, shell history, Makefiles,
systemd units, crontabs, VPN/WiFi/router configs, LDIF, Markdown docs, HTML email templates, XML,
INI/TOML/properties/JSON configs and Windows scripts.

Written blind (without looking at the scrubber). Planted secrets are written ``⟦kind|value⟧`` in
the templates; ``_parse`` strips the markers and records (kind, start, end). Every secret value is
drawn from a seeded ``random.Random``, so each seed gives a different variant of every document.

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
    identifiers (GCP ``private_key_id``, KMS ARNs, Twilio account SIDs), public-by-design ids
    (Stripe publishable keys, reCAPTCHA site keys, OAuth client ids).
password
    Literal passwords in assignments, kwargs, dict/map literals, config files, connection
    strings, CLI invocations, URLs (span = the password part only, as written, percent-encoded
    where it is), test fixtures; a password escaped inside a string literal is spanned as
    written (with its backslashes). Not: reads (env, getpass, input, ``read -s``), None/empty,
    template refs, hashes (bcrypt/argon2/pbkdf2), masked ``****``, UI labels/translations,
    identifiers like ``reset_password_url``.

Conventions used in this set
----------------------------
* Spans cover exactly the value: no quotes, no ``user:``, no port, no ``/len``.
* ``Authorization: Basic <base64>`` -> the base64 is a ``key``; so is the base64 ``auth`` of a
  docker config, an npm ``_auth``/``_password``, and the base64 ``data:`` value of a Kubernetes
  Secret that decodes to a password or private key (base64 of a user name is not labelled).
* Sentry DSN: the secret part before ``@`` is a ``key``. Slack webhook: the ``T.../B.../...``
  path after ``/services/`` is a ``key``; Discord webhook: the token segment after the id.
* AWS SES SMTP credentials (``AKIA...`` user name, ``B...`` 44-char password) are ``key``s.
* A Gmail app password (16 letters, possibly in groups of four) is a ``password``.
* A Laravel ``APP_KEY`` is spanned whole, ``base64:`` prefix included.
* Ansible-vault ciphertext, sops ``ENC[...]``, Travis ``secure:`` blobs, Maven ``{...}``
  encrypted passwords and NuGet DPAPI ``Password`` values are encrypted -> negative.
* WireGuard ``PrivateKey``/``PresharedKey`` are keys, ``PublicKey`` is not.
* SNMP community strings, TACACS keys and ElastiCache AuthTokens are ``password``.

Run ``python -m tests.pii_testset6`` to self-check and print the counts per kind.
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
import sys
from urllib.parse import quote

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 606_2024

KINDS = ("email", "ip_address", "key", "password")

# ------------------------------------------------------------------------------ alphabets

AL = string.ascii_letters + string.digits
LOWER_AL = string.ascii_lowercase + string.digits
UP = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
B64 = AL + "+/"
B64U = AL + "-_"
CRYPT = "./" + AL

SAFE_SYMS = "!*-_.+?~^@"  # survive unquoted in env/ini/yaml/xml values
RICH_SYMS = SAFE_SYMS + "#$%&/:=;,\"'\\()[]{}<>|"  # only where the template escapes them
URL_SYMS = "!*-_.~@#:/%?&$+="  # exercise percent-encoding
XML_SYMS = "!*-_.+?~^@#$%/:=;,()[]{}|"  # no & < > " '
SHELL_SQ_SYMS = "!*-_.+?~^@#$%&/:=;,\"()[]{}<>|"  # inside '...' (no single quote, no backslash)

WORDS = (
    "harbor falcon maple orbit tundra velvet copper lantern river summit cobalt meadow thunder "
    "pepper walnut crimson glacier panda rocket saffron willow ember quartz tiger violet breeze "
    "canyon dolphin jasper kettle lemon marble nectar oyster pixel quokka raven sierra tango "
    "vortex wombat zephyr anchor bishop cactus diesel eagle fjord gecko hazel igloo jungle koala "
    "lotus mango nimbus olive pirate quill ruby sphinx tulip viking wizard xenon zebra otter "
    "biscuit cinnamon dragon finch granite horizon indigo juniper kiwi lagoon monsoon nova "
    "papaya puffin rhubarb sequoia thistle walrus yonder bramble comet drizzle"
).split()

FIRST = (
    "anna ben carla dmitri elena farah george hana ivan julia kenji lena marco nadia omar priya "
    "quentin rosa sven tomas uma victor wei ximena yusuf zoe lars maria jonas aisha chen diego "
    "fatima hiro ingrid jakub kofi leila mateo noor oskar paula rahul sofia thabo valentina"
).split()
LAST = (
    "andersen becker costa dubois eriksson fischer garcia haddad ivanova jensen kowalski "
    "lindqvist moreau nakamura okafor petrov quinn rossi schmidt tanaka ueda vargas weber xu "
    "yilmaz zhang novak oliveira horvat mueller bianchi nguyen santos kaur obrien"
).split()
MAILBOX_DOMAINS = (
    "gmail.com outlook.com hotmail.co.uk yahoo.com proton.me protonmail.com fastmail.com "
    "icloud.com gmx.de web.de mail.ru yandex.ru qq.com 163.com naver.com hey.com zoho.com "
    "aol.com live.fr libero.it seznam.cz wp.pl t-online.de orange.fr posteo.de"
).split()
IDN_DOMAINS = ["müller-bau.de", "bücherstube.at", "café-lumière.fr", "señal-móvil.es", "ålesund-it.no"]
TLDS = "com io dev co net org ai app tech de fr nl co.uk com.br com.au ca ch se pl in cloud eu".split()
ROLE = "ops devops security billing support admin noreply no-reply alerts oncall sre-team infra " \
       "hello team platform releases dba it-helpdesk".split()

_PUB_FIRST = [5, 23, 31, 37, 45, 46, 51, 52, 54, 62, 66, 69, 77, 78, 80, 81, 82, 85, 87, 88, 89,
              91, 93, 94, 95, 104, 107, 108, 109, 128, 134, 136, 138, 139, 141, 142, 143, 144, 145,
              146, 147, 149, 151, 152, 154, 157, 159, 161, 162, 163, 164, 165, 167, 170, 173, 176,
              178, 185, 188, 193, 194, 195, 199, 204, 206, 207, 209, 212, 213, 216, 217]
_RESOLVERS = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
              "208.67.222.222", "208.67.220.220"}
_V6_PREFIXES = ["2a01:4f8", "2a01:4f9", "2600:1f18", "2600:3c03", "2604:a880", "2a03:b0c0",
                "2001:41d0", "2a02:c207", "2a05:d014", "2406:da18", "2a00:1450", "2620:11a"]


# ------------------------------------------------------------------------------ markers / escaping

def P(v: str) -> str:
    return f"⟦password|{v}⟧"


def K(v: str) -> str:
    return f"⟦key|{v}⟧"


def E(v: str) -> str:
    return f"⟦email|{v}⟧"


def I(v: str) -> str:  # noqa: E743 - short on purpose, used in every template
    return f"⟦ip_address|{v}⟧"


def jesc(s: str) -> str:
    """As written inside a JSON string literal."""
    return json.dumps(s, ensure_ascii=False)[1:-1]


def url(s: str) -> str:
    """As written in the userinfo part of a URL."""
    return quote(s, safe="")


def yq1(s: str) -> str:
    """As written inside a YAML single-quoted scalar."""
    return s.replace("'", "''")


def yq2(s: str) -> str:
    """As written inside a YAML/TOML/C-ish double-quoted string."""
    return s.replace("\\", "\\\\").replace('"', '\\"')


def shq2(s: str) -> str:
    """As written inside a POSIX-shell double-quoted string."""
    return "".join("\\" + c if c in '\\"$`' else c for c in s)


def ind(block: str, pad: str) -> str:
    """Indent every line but the first (the template supplies the first line's indent)."""
    return block.replace("\n", "\n" + pad)


def b64(s: str | bytes) -> str:
    return base64.b64encode(s.encode() if isinstance(s, str) else s).decode()


def b64url_nopad(s: str | bytes) -> str:
    raw = s.encode() if isinstance(s, str) else s
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_FILL = re.compile(r"«(\w+)»")


def mk(name: str, template: str, values: dict) -> LabelledDoc:
    text = _FILL.sub(lambda m: str(values[m.group(1)]), template.lstrip("\n"))
    return _parse(name, text)


# ------------------------------------------------------------------------------ value generator

def _leet(s: str, syms: str) -> str:
    table = {"a": "@" if "@" in syms else "4", "e": "3", "i": "1", "o": "0",
             "s": "$" if "$" in syms else "5"}
    return "".join(table.get(c, c) if c in table and i % 2 == 0 else c for i, c in enumerate(s))


class Gen:
    """Every planted value comes from here (one seeded Random)."""

    def __init__(self, seed: int):
        self.r = random.Random(seed)

    # -- primitives
    def s(self, n: int, alphabet: str) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def hex(self, n: int) -> str:
        return self.s(n, HEX)

    def digits(self, n: int) -> str:
        return str(self.r.randint(1, 9)) + self.s(n - 1, string.digits)

    def pick(self, seq):
        return self.r.choice(seq)

    def word(self) -> str:
        return self.r.choice(WORDS)

    def bytes(self, n: int) -> bytes:
        return bytes(self.r.getrandbits(8) for _ in range(n))

    def uuid(self, upper: bool = False) -> str:
        h = self.hex(32)
        h = h[:12] + "4" + h[13:16] + self.pick("89ab") + h[17:]
        u = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        return u.upper() if upper else u

    # -- people / places
    def first(self) -> str:
        return self.pick(FIRST)

    def last(self) -> str:
        return self.pick(LAST)

    def full_name(self) -> str:
        return f"{self.first().capitalize()} {self.last().capitalize()}"

    def handle(self) -> str:
        f, l = self.first(), self.last()
        return self.pick([f + l[:3], f"{f}-{l}", f + str(self.r.randint(1, 99)), f[0] + l, l + f[:2]])

    def domain(self) -> str:
        w1, w2 = self.word(), self.word()
        base = self.pick([w1 + w2, f"{w1}-{w2}", w1 + self.pick(["labs", "works", "hq", "systems",
                                                                   "cloud", "soft", "data", "ly"])])
        return f"{base}.{self.pick(TLDS)}"

    def email(self, domain: str | None = None, role: bool = False) -> str:
        r = self.r
        f, l = self.first(), self.last()
        if role:
            local = self.pick(ROLE)
        else:
            local = self.pick([f"{f}.{l}", f"{f[0]}{l}", f, f"{f}_{l}", f"{f}.{l}{r.randint(1, 99)}",
                               f"{f}+{self.pick(['github', 'ci', 'alerts', 'news', 'dev'])}", f"{l}.{f[0]}"])
        if domain is None:
            roll = r.random()
            if roll < 0.35:
                domain = self.pick(MAILBOX_DOMAINS)
            elif roll < 0.45:
                domain = f"{self.pick(['eng', 'mail', 'corp', 'us', 'eu'])}.{self.domain()}"
            elif roll < 0.5:
                domain = self.pick(IDN_DOMAINS)
            else:
                domain = self.domain()
        return f"{local}@{domain}"

    def ip(self) -> str:
        while True:
            a = self.pick(_PUB_FIRST)
            v = f"{a}.{self.r.randint(0, 255)}.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}"
            if v not in _RESOLVERS:
                return v

    def ip6(self) -> str:
        h = lambda: format(self.r.randint(1, 0xFFFF), "x")  # noqa: E731
        pfx = self.pick(_V6_PREFIXES)
        if self.r.random() < 0.5:
            return f"{pfx}:{h()}:{h()}::{h()}"
        return ":".join([pfx, h(), h(), h(), h(), h(), h()])

    # -- passwords
    def pw(self, syms: str = SAFE_SYMS, space: bool = False, style: str | None = None) -> str:
        r = self.r
        style = style or self.pick(["word", "word", "words", "leet", "phrase", "random", "random",
                                    "short", "season", "mixed"])
        sym = (lambda: self.pick(syms)) if syms else (lambda: "")
        if style == "word":
            p = self.word().capitalize() + str(r.randint(1, 9999)) + sym()
        elif style == "words":
            p = self.word() + sym() + self.word().capitalize() + str(r.randint(10, 99))
        elif style == "leet":
            p = _leet(self.word().capitalize() + self.word(), syms) + sym() + str(r.randint(0, 99))
        elif style == "phrase":
            sep = " " if space and r.random() < 0.6 else self.pick("-_.")
            p = sep.join(self.word() for _ in range(r.randint(3, 4)))
            if r.random() < 0.5:
                p += sep + str(r.randint(1, 99))
        elif style == "random":
            p = self.pick(string.ascii_letters) + self.s(r.randint(9, 23), AL + syms * 2)
        elif style == "short":
            p = self.word()[: r.randint(3, 5)] + str(r.randint(10, 999))
        elif style == "season":
            p = self.pick(["Summer", "Winter", "Spring", "Autumn", "Welcome", "Company", "Letmein",
                           "Monday", "Office"]) + sym() + str(r.randint(2018, 2025)) + sym()
        else:  # mixed
            p = self.pick(["dev", "ops", "svc", "db", "app", "prod", "adm"]) + "_" + \
                self.word().capitalize() + "_" + str(r.randint(1, 999))
        return p

    def rich_pw(self) -> str:
        """A password that certainly holds a character needing escaping/encoding."""
        p = self.pw(syms=RICH_SYMS, style=self.pick(["random", "words", "word", "season"]))
        if not any(c in p for c in "#$%&/:\"'\\@"):
            p = p[: len(p) // 2] + self.pick(list("#$%&/:\"'\\@")) + p[len(p) // 2:]
        return p

    # -- provider keys
    def aws_id(self, prefix: str = "AKIA") -> str:
        return prefix + self.s(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    def aws_secret(self) -> str:
        return self.s(40, B64)

    def aws_session(self) -> str:
        return "IQoJb3JpZ2luX2VjE" + self.s(self.r.randint(300, 360), B64)

    def ghp(self, prefix: str = "ghp_") -> str:
        return prefix + self.s(36, AL)

    def gh_pat(self) -> str:
        return "github_pat_11" + self.s(20, UP) + "_" + self.s(59, AL)

    def glpat(self) -> str:
        return "glpat-" + self.s(20, AL + "-_")

    def xoxb(self) -> str:
        return f"xoxb-{self.digits(12)}-{self.digits(13)}-{self.s(24, AL)}"

    def xoxp(self) -> str:
        return f"xoxp-{self.digits(11)}-{self.digits(11)}-{self.digits(13)}-{self.hex(32)}"

    def slack_path(self) -> str:
        return f"T{self.s(8, UP)}/B{self.s(10, UP)}/{self.s(24, AL)}"

    def stripe(self, prefix: str = "sk_live_") -> str:
        return prefix + self.s(self.pick([24, 99]), AL)

    def whsec(self) -> str:
        return "whsec_" + self.s(32, AL)

    def sendgrid(self) -> str:
        return "SG." + self.s(22, B64U) + "." + self.s(43, B64U)

    def mailgun(self) -> str:
        return "key-" + self.hex(32)

    def mailchimp(self) -> str:
        return self.hex(32) + f"-us{self.r.randint(1, 21)}"

    def npm(self) -> str:
        return "npm_" + self.s(36, AL)

    def pypi(self) -> str:
        return "pypi-AgEIcHlwaS5vcmc" + self.s(self.r.randint(140, 180), B64U)

    def discord_bot(self) -> str:
        ident = str(self.r.randint(10 ** 17, 10 ** 18 - 1))
        return b64(ident).rstrip("=") + "." + self.s(6, B64U) + "." + self.s(38, B64U)

    def telegram(self) -> str:
        return f"{self.r.randint(10 ** 8, 10 ** 10)}:AA{self.s(33, B64U)}"

    def aiza(self) -> str:
        return "AIza" + self.s(35, B64U)

    def gocspx(self) -> str:
        return "GOCSPX-" + self.s(28, B64U)

    def google_client_id(self) -> str:
        return f"{self.digits(12)}-{self.s(32, LOWER_AL)}.apps.googleusercontent.com"

    def azure_key(self) -> str:
        return b64(self.bytes(64))

    def azure_sig(self) -> str:
        return url(b64(self.bytes(32)))

    def azure_client_secret(self) -> str:
        return self.s(3, AL) + str(self.r.randint(0, 9)) + "Q~" + self.s(34, AL + "_.~-")

    def openai(self) -> str:
        if self.r.random() < 0.7:
            return "sk-proj-" + self.s(self.r.randint(130, 156), B64U)
        return "sk-" + self.s(20, AL) + "T3BlbkFJ" + self.s(20, AL)

    def anthropic(self) -> str:
        return "sk-ant-api03-" + self.s(93, B64U) + "AA"

    def hf(self) -> str:
        return "hf_" + self.s(34, string.ascii_letters)

    def shopify(self) -> str:
        return self.pick(["shpat_", "shpss_", "shpca_"]) + self.hex(32)

    def dop(self) -> str:
        return "dop_v1_" + self.hex(64)

    def sentry_key(self) -> str:
        return self.hex(32)

    def heroku(self) -> str:
        return "HRKU-AA" + self.s(58, B64U)

    def okta(self) -> str:
        return "00" + self.s(40, B64U)

    def hvs(self) -> str:
        if self.r.random() < 0.5:
            return "hvs." + self.s(24, AL)
        return "hvs.CAESI" + self.s(86, B64U)

    def glsa(self) -> str:
        return "glsa_" + self.s(32, AL) + "_" + self.hex(8)

    def glc(self) -> str:
        return "glc_" + b64(json.dumps({"o": self.digits(6), "n": "stack-" + self.digits(6) + "-hm-write",
                                         "k": self.s(24, AL), "m": {"r": "prod-eu-west-0"}},
                                        separators=(",", ":")))

    def nrak(self) -> str:
        return "NRAK-" + self.s(27, UP)

    def dckr(self) -> str:
        return "dckr_pat_" + self.s(27, B64U)

    def squ(self) -> str:
        return "squ_" + self.hex(40)

    def artifactory(self) -> str:
        return "AKCp8" + self.s(68, AL)

    def nuget(self) -> str:
        return "oy2" + self.s(43, LOWER_AL)

    def bitbucket(self) -> str:
        return "ATBB" + self.s(28, AL) + self.hex(8).upper()

    def wg(self) -> str:
        return b64(self.bytes(32))

    def jwt(self, claims: dict | None = None, alg: str = "HS256") -> str:
        claims = claims or {"sub": self.digits(7), "name": self.full_name(),
                            "iat": self.r.randint(1_690_000_000, 1_720_000_000)}
        head = b64url_nopad(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")))
        body = b64url_nopad(json.dumps(claims, separators=(",", ":")))
        return f"{head}.{body}.{self.s(43 if alg.startswith('HS') else 342, B64U)}"

    def pem(self, kind: str = "RSA", lines: int | None = None, sep: str = "\n") -> str:
        head = {"RSA": "RSA PRIVATE KEY", "EC": "EC PRIVATE KEY", "OPENSSH": "OPENSSH PRIVATE KEY",
                "PKCS8": "PRIVATE KEY"}[kind]
        prefix = {"RSA": "MIIEpAIBAAKCAQEA", "EC": "MHcCAQEEI", "PKCS8": "MIIEvgIBADANBgkqhkiG9w0BAQEFAASC",
                  "OPENSSH": "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"}[kind]
        width = 70 if kind == "OPENSSH" else 64
        n = lines or {"RSA": self.r.randint(12, 25), "EC": 3, "OPENSSH": 7,
                      "PKCS8": self.r.randint(12, 26)}[kind]
        body = prefix + self.s(width * n - len(prefix) - self.r.randint(4, 30), B64)
        body += "=" * ((-len(body)) % 4 if kind != "OPENSSH" else 0)
        rows = [body[i:i + width] for i in range(0, len(body), width)]
        return sep.join([f"-----BEGIN {head}-----", *rows, f"-----END {head}-----"])

    def pgp_private(self) -> str:
        rows = ["lQdGBGX" + self.s(57, B64)] + [self.s(64, B64) for _ in range(self.r.randint(10, 16))]
        rows.append(self.s(self.r.randint(20, 60), B64))
        return "\n".join(["-----BEGIN PGP PRIVATE KEY BLOCK-----", "", *rows, "=" + self.s(4, B64),
                          "-----END PGP PRIVATE KEY BLOCK-----"])

    def openvpn_static(self) -> str:
        rows = [self.hex(32) for _ in range(16)]
        return "\n".join(["-----BEGIN OpenVPN Static key V1-----", *rows, "-----END OpenVPN Static key V1-----"])

    # -- negatives (still drawn from the seeded Random so variants differ)
    def cert(self, lines: int = 10, sep: str = "\n") -> str:
        body = "MIID" + self.s(64 * lines - 10, B64)
        rows = [body[i:i + 64] for i in range(0, len(body), 64)]
        return sep.join(["-----BEGIN CERTIFICATE-----", *rows, "-----END CERTIFICATE-----"])

    def pgp_public(self) -> str:
        rows = ["mQINBGX" + self.s(57, B64)] + [self.s(64, B64) for _ in range(8)] + [self.s(30, B64)]
        return "\n".join(["-----BEGIN PGP PUBLIC KEY BLOCK-----", "", *rows, "=" + self.s(4, B64),
                          "-----END PGP PUBLIC KEY BLOCK-----"])

    def ssh_pub(self, kind: str = "ed25519") -> str:
        if kind == "ed25519":
            return "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + self.s(43, B64)
        if kind == "ecdsa":
            return "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBB" + \
                self.s(87, B64) + "="
        return "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ" + self.s(510, B64) + "="

    def bcrypt(self) -> str:
        return f"$2{self.pick('aby')}$1{self.pick('0124')}$" + self.s(53, CRYPT)

    def argon2(self) -> str:
        return "$argon2id$v=19$m=65536,t=3,p=4$" + self.s(22, AL + "+/") + "$" + self.s(43, AL + "+/")

    def ssha(self) -> str:
        return "{SSHA}" + b64(self.bytes(24))

    def apr1(self) -> str:
        return "$apr1$" + self.s(8, CRYPT) + "$" + self.s(22, CRYPT)

    def sha512crypt(self) -> str:
        return "$6$" + self.s(16, CRYPT) + "$" + self.s(86, CRYPT)

    def vault_blob(self, pad: str) -> str:
        rows = [self.hex(80) for _ in range(self.r.randint(4, 7))] + [self.hex(self.r.randint(20, 70))]
        return "$ANSIBLE_VAULT;1.1;AES256\n" + "\n".join(pad + x for x in rows)

    def sops(self, n: int | None = None) -> str:
        data = b64(self.bytes(n or self.r.randint(8, 30)))
        return (f"ENC[AES256_GCM,data:{data},iv:{b64(self.bytes(32))},"
                f"tag:{b64(self.bytes(16))},type:str]")


# ============================================================================== documents
# Each builder takes the Gen and returns one LabelledDoc. Values are wrapped with P/K/E/I where
# they are planted; everything else in the templates is surrounding text or a hard negative.


def d_env_laravel(g: Gen) -> LabelledDoc:
    dom = g.domain()
    app = g.word().capitalize() + g.pick(["Desk", "Hub", "Board", "Shop"])
    dbname = g.word() + "_prod"
    app_key = K("base64:" + b64(g.bytes(32)))
    db_ip = I(g.ip())
    db_user = dbname[:8] + "_rw"
    db_pw = P(g.pw())
    redis_pw = P(g.pw())
    mail_user = E("postmaster@mg." + dom)
    mail_pw = P(g.pw(style="random"))
    mail_from = E(g.email(dom, role=True))
    aws_id, aws_sec = K(g.aws_id()), K(g.aws_secret())
    pusher_id = g.digits(7)
    pusher_secret = K(g.hex(20))
    pk = "pk_live_" + g.s(24, AL)
    sk = K(g.stripe())
    wh = K(g.whsec())
    return mk(".env", """
APP_NAME="«app»"
APP_ENV=production
APP_KEY=«app_key»
APP_DEBUG=false
APP_URL=https://«dom»

LOG_CHANNEL=stack
LOG_DEPRECATIONS_CHANNEL=null
LOG_LEVEL=warning

DB_CONNECTION=mysql
DB_HOST=«db_ip»
DB_PORT=3306
DB_DATABASE=«dbname»
DB_USERNAME=«db_user»
DB_PASSWORD=«db_pw»

BROADCAST_DRIVER=log
CACHE_DRIVER=redis
FILESYSTEM_DISK=s3
QUEUE_CONNECTION=redis
SESSION_DRIVER=redis
SESSION_LIFETIME=120

REDIS_HOST=127.0.0.1
REDIS_PASSWORD=«redis_pw»
REDIS_PORT=6379

MAIL_MAILER=smtp
MAIL_HOST=smtp.eu.mailgun.org
MAIL_PORT=587
MAIL_USERNAME=«mail_user»
MAIL_PASSWORD=«mail_pw»
MAIL_ENCRYPTION=tls
MAIL_FROM_ADDRESS="«mail_from»"
MAIL_FROM_NAME="${APP_NAME}"

AWS_ACCESS_KEY_ID=«aws_id»
AWS_SECRET_ACCESS_KEY=«aws_sec»
AWS_DEFAULT_REGION=eu-central-1
AWS_BUCKET=«dbname»-uploads
AWS_USE_PATH_STYLE_ENDPOINT=false

PUSHER_APP_ID=«pusher_id»
PUSHER_APP_SECRET=«pusher_secret»
PUSHER_HOST=
PUSHER_PORT=443
PUSHER_SCHEME=https
PUSHER_APP_CLUSTER=eu

STRIPE_KEY=«pk»
STRIPE_SECRET=«sk»
STRIPE_WEBHOOK_SECRET=«wh»

VITE_APP_NAME="${APP_NAME}"
VITE_PUSHER_APP_KEY="${PUSHER_APP_KEY}"
""", locals())


def d_env_example(g: Gen) -> LabelledDoc:
    pk = "pk_live_" + g.s(24, AL)
    site = "6Lc" + g.s(37, B64U)
    ver = f"{g.r.randint(1, 4)}.{g.r.randint(0, 20)}.{g.r.randint(0, 9)}.{g.r.randint(1, 300)}"
    return mk(".env.example", """
# Copy this file to .env and fill in the values. NEVER commit the real .env.
APP_ENV=local
APP_KEY=
APP_DEBUG=true
APP_URL=http://localhost:8000
APP_VERSION=«ver»

# Database
DB_HOST=127.0.0.1
DB_PORT=5432
DB_DATABASE=app
DB_USERNAME=postgres
DB_PASSWORD=changeme
DATABASE_URL=postgres://postgres:${DB_PASSWORD}@localhost:5432/app

REDIS_URL=redis://localhost:6379/0

# Secrets - generate with `openssl rand -hex 32`
SECRET_KEY=<generate-with-openssl-rand-hex-32>
JWT_SECRET=your-jwt-secret-here
SESSION_SECRET=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx

# Third parties
STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx
STRIPE_PUBLISHABLE_KEY=«pk»
SENDGRID_API_KEY=SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
GITHUB_TOKEN=YOUR_TOKEN_HERE
OPENAI_API_KEY=<your-api-key>
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
SENTRY_DSN=
RECAPTCHA_SITE_KEY=«site»
RECAPTCHA_SECRET_KEY=

# Mail (mailtrap in dev)
SMTP_HOST=sandbox.smtp.mailtrap.io
SMTP_USER=
SMTP_PASSWORD=********
MAIL_FROM=noreply@example.com
ADMIN_EMAIL=admin@localhost

# Networking
ALLOWED_HOSTS=localhost,127.0.0.1,0.0.0.0
TRUSTED_PROXIES=10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10
DNS_SERVERS=1.1.1.1,8.8.8.8
METADATA_URL=http://169.254.169.254/latest/meta-data/
""", locals())


def d_compose_dev(g: Gen) -> LabelledDoc:
    pg_user = g.word()
    db = pg_user + "_dev"
    raw = g.pw()
    pg_pw, pg_pw_url = P(raw), P(url(raw))
    my_root = P(g.pw())
    my_pw = P(g.pw())
    rraw = g.pw(syms="!*-_.~")
    redis_pw = P(rraw)
    redis_pw2 = P(url(rraw))
    pga_email = E(g.email())
    pga_pw = P(yq2(g.rich_pw()))
    return mk("docker-compose.yml", """
version: "3.9"

services:
  db:
    image: postgres:16.2-alpine
    restart: unless-stopped
    environment:
      POSTGRES_USER: «pg_user»
      POSTGRES_PASSWORD: «pg_pw»
      POSTGRES_DB: «db»
    volumes:
      - pgdata:/var/lib/postgresql/data
    ports:
      - "127.0.0.1:5432:5432"
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U «pg_user»"]
      interval: 10s
      retries: 5

  mysql:
    image: mysql:8.0.36
    environment:
      - MYSQL_ROOT_PASSWORD=«my_root»
      - MYSQL_DATABASE=legacy
      - MYSQL_USER=legacy
      - MYSQL_PASSWORD=«my_pw»
    command: --default-authentication-plugin=mysql_native_password

  redis:
    image: redis:7.2
    command: ["redis-server", "--appendonly", "yes", "--requirepass", "«redis_pw»"]

  pgadmin:
    image: dpage/pgadmin4:8.4
    environment:
      PGADMIN_DEFAULT_EMAIL: «pga_email»
      PGADMIN_DEFAULT_PASSWORD: "«pga_pw»"
    ports:
      - "5050:80"

  app:
    build: .
    env_file: .env
    environment:
      DATABASE_URL: postgres://«pg_user»:«pg_pw_url»@db:5432/«db»
      REDIS_URL: redis://:«redis_pw2»@redis:6379/0
    depends_on: [db, redis]
    networks:
      backend:
        ipv4_address: 172.28.0.10

networks:
  backend:
    ipam:
      config:
        - subnet: 172.28.0.0/16
          gateway: 172.28.0.1

volumes:
  pgdata:
""", locals())


def d_compose_prod(g: Gen) -> LabelledDoc:
    dom = g.domain()
    org = g.word()
    acme_email = E(g.email(dom, role=True))
    apr = g.apr1().replace("$", "$$")
    sha, sha2 = g.hex(64), g.hex(64)
    sentry = K(g.sentry_key())
    org_id, proj = g.digits(6), g.digits(7)
    erp_ip = I(g.ip())
    gf_pw = P(g.pw())
    smtp_user = E(g.email(dom))
    slack = K(g.slack_path())
    aws_id, aws_sec = K(g.aws_id()), K(g.aws_secret())
    gpg_pw = P(yq2(g.pw(space=True, style="phrase")))
    return mk("deploy/docker-compose.prod.yml", """
# Production stack. Secrets come from the host's .env unless noted otherwise.
services:
  traefik:
    image: traefik:v2.11@sha256:«sha»
    command:
      - --providers.docker=true
      - --entrypoints.websecure.address=:443
      - --certificatesresolvers.le.acme.email=«acme_email»
      - --certificatesresolvers.le.acme.storage=/letsencrypt/acme.json
    labels:
      - "traefik.http.middlewares.auth.basicauth.users=admin:«apr»"
    ports: ["80:80", "443:443"]

  api:
    image: ghcr.io/«org»/api@sha256:«sha2»
    environment:
      DATABASE_PASSWORD: ${DATABASE_PASSWORD:?required}
      JWT_SECRET: ${JWT_SECRET}
      SENTRY_DSN: https://«sentry»@o«org_id».ingest.sentry.io/«proj»
    extra_hosts:
      - "legacy-erp:«erp_ip»"
      - "host.docker.internal:host-gateway"

  grafana:
    image: grafana/grafana-oss:10.4.1
    environment:
      GF_SECURITY_ADMIN_USER: admin
      GF_SECURITY_ADMIN_PASSWORD: «gf_pw»
      GF_SMTP_ENABLED: "true"
      GF_SMTP_HOST: smtp.office365.com:587
      GF_SMTP_USER: «smtp_user»
      GF_SMTP_PASSWORD: ${GF_SMTP_PASSWORD}
      GF_SERVER_ROOT_URL: https://grafana.«dom»

  watchtower:
    image: containrrr/watchtower:1.7.1
    environment:
      WATCHTOWER_NOTIFICATIONS: slack
      WATCHTOWER_NOTIFICATION_SLACK_HOOK_URL: https://hooks.slack.com/services/«slack»

  backup:
    image: offen/docker-volume-backup:v2.39.1
    environment:
      BACKUP_CRON_EXPRESSION: "0 3 * * *"
      AWS_S3_BUCKET_NAME: «org»-backups
      AWS_ACCESS_KEY_ID: «aws_id»
      AWS_SECRET_ACCESS_KEY: «aws_sec»
      GPG_PASSPHRASE: "«gpg_pw»"
    volumes:
      - grafana-data:/backup/grafana:ro

volumes:
  grafana-data:
""", locals())


def d_k8s_secret(g: Gen) -> LabelledDoc:
    app, ns = g.word(), g.pick(["prod", "payments", "shop", "platform"])
    user = app + "_app"
    b64_user = b64(user)
    raw = g.pw()
    b64_pw = K(b64(raw))
    pw_url = P(url(g.pw(syms=URL_SYMS)))
    sk = K(g.stripe(g.pick(["sk_live_", "rk_live_"])))
    smtp_pw = P(yq2(g.rich_pw()))
    smtp_email = E(g.email())
    dom = g.domain()
    dockercfg = K(b64(json.dumps({"auths": {f"registry.{dom}": {
        "auth": b64(f"ci:{g.pw()}")}}}, separators=(",", ":"))))
    crt_b64 = b64(g.cert(4))
    key_b64 = K(b64(g.pem("EC")))
    pgp = K(ind(g.pgp_private(), "    "))
    return mk(f"k8s/overlays/{ns}/secrets.yaml", """
apiVersion: v1
kind: Secret
metadata:
  name: «app»-db
  namespace: «ns»
  labels:
    app.kubernetes.io/name: «app»
type: Opaque
data:
  username: «b64_user»
  password: «b64_pw»
---
apiVersion: v1
kind: Secret
metadata:
  name: «app»-api
  namespace: «ns»
type: Opaque
stringData:
  DATABASE_URL: "postgresql://«user»:«pw_url»@«app»-db.«ns».svc.cluster.local:5432/«app»"
  STRIPE_API_KEY: «sk»
  SMTP_USER: «smtp_email»
  SMTP_PASSWORD: "«smtp_pw»"
  signing-key.asc: |
    «pgp»
---
apiVersion: v1
kind: Secret
metadata:
  name: regcred
  namespace: «ns»
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: «dockercfg»
---
apiVersion: v1
kind: Secret
metadata:
  name: «app»-tls
  namespace: «ns»
type: kubernetes.io/tls
data:
  tls.crt: «crt_b64»
  tls.key: «key_b64»
""", locals())


def d_k8s_deploy(g: Gen) -> LabelledDoc:
    app = g.word()
    dom = g.domain()
    pay_ip = I(g.ip())
    support = E(g.email(dom, role=True))
    sha = g.hex(64)
    legacy_ip = I(g.ip())
    dd = K(g.hex(32))
    redis_pw = P(g.pw())
    return mk(f"k8s/base/{app}-deployment.yaml", """
apiVersion: v1
kind: ConfigMap
metadata:
  name: «app»-config
data:
  LOG_LEVEL: info
  UPSTREAM_PAYMENTS: "https://«pay_ip»:8443"
  FEATURE_FLAGS: "checkout_v2,new_nav"
  SUPPORT_EMAIL: «support»
  NODE_OPTIONS: "--max-old-space-size=1536"
  OTEL_EXPORTER_OTLP_ENDPOINT: http://otel-collector.observability:4317
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: «app»
spec:
  replicas: 3
  selector:
    matchLabels: {app: «app»}
  template:
    metadata:
      labels: {app: «app»}
      annotations:
        checksum/config: «sha»
    spec:
      hostAliases:
        - ip: "«legacy_ip»"
          hostnames: ["legacy.internal"]
      containers:
        - name: api
          image: registry.«dom»/«app»:1.8.4
          envFrom:
            - configMapRef: {name: «app»-config}
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: «app»-db, key: password}
            - name: DD_API_KEY
              value: "«dd»"
            - name: POD_IP
              valueFrom: {fieldRef: {fieldPath: status.podIP}}
            - name: REDIS_PASSWORD
              value: «redis_pw»
          resources:
            requests: {cpu: 250m, memory: 256Mi}
            limits: {memory: 512Mi}
      dnsConfig:
        nameservers: ["1.1.1.1", "9.9.9.9"]
""", locals())


def d_helm_values(g: Gen) -> LabelledDoc:
    org, dom = g.word(), g.domain()
    sha = g.hex(64)
    ip1, ip2 = I(g.ip()), I(g.ip())
    u = g.word()
    pg_pw = P(yq2(g.rich_pw()))
    pg_admin = P(g.pw())
    redis_pw = P(g.pw())
    admin_email = E(g.email(dom))
    ses_id = K(g.aws_id())
    ses_pw = K("B" + g.s(43, B64))
    cid = "Iv1." + g.hex(16)
    gh_secret = K(g.hex(40))
    return mk("charts/web/values.yaml", """
# Default values for web.
replicaCount: 2

image:
  repository: ghcr.io/«org»/web
  tag: "3.2.1"
  digest: sha256:«sha»
  pullPolicy: IfNotPresent
imagePullSecrets:
  - name: ghcr

ingress:
  enabled: true
  className: nginx
  annotations:
    nginx.ingress.kubernetes.io/whitelist-source-range: "«ip1»/32,«ip2»/32,10.0.0.0/8"
    cert-manager.io/cluster-issuer: letsencrypt
  hosts:
    - host: app.«dom»
      paths: [{path: /, pathType: Prefix}]

postgresql:
  enabled: true
  auth:
    username: «u»
    password: "«pg_pw»"
    postgresPassword: «pg_admin»
    existingSecret: ""

redis:
  auth:
    enabled: true
    password: «redis_pw»
    existingSecret: redis-auth
    existingSecretPasswordKey: redis-password

config:
  adminEmail: «admin_email»
  smtp:
    host: email-smtp.eu-west-1.amazonaws.com
    port: 587
    username: «ses_id»
    password: «ses_pw»
  oauth:
    github:
      clientId: «cid»
      clientSecret: «gh_secret»
  sentry:
    dsn: ""

resources:
  limits: {cpu: 500m, memory: 512Mi}
""", locals())


def d_helm_template(g: Gen) -> LabelledDoc:
    return mk("charts/web/templates/secret.yaml", """
{{- if not .Values.postgresql.auth.existingSecret }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "web.fullname" . }}-db
  labels:
    {{- include "web.labels" . | nindent 4 }}
type: Opaque
data:
  password: {{ .Values.postgresql.auth.password | b64enc | quote }}
  postgres-password: {{ required "postgresPassword is required" .Values.postgresql.auth.postgresPassword | b64enc | quote }}
{{- end }}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "web.fullname" . }}-app
  annotations:
    helm.sh/resource-policy: keep
type: Opaque
stringData:
  SECRET_KEY_BASE: {{ randAlphaNum 64 | quote }}
  SMTP_USERNAME: {{ .Values.config.smtp.username | quote }}
  SMTP_PASSWORD: {{ .Values.config.smtp.password | default "" | quote }}
  GITHUB_CLIENT_ID: {{ .Values.config.oauth.github.clientId | quote }}
  GITHUB_CLIENT_SECRET: {{ .Values.config.oauth.github.clientSecret | quote }}
  {{- with .Values.config.sentry.dsn }}
  SENTRY_DSN: {{ . | quote }}
  {{- end }}
  ADMIN_EMAIL: {{ .Values.config.adminEmail | quote }}
  # lookup keeps the generated value stable across upgrades
  {{- $existing := lookup "v1" "Secret" .Release.Namespace (printf "%s-app" (include "web.fullname" .)) }}
  {{- if $existing }}
  COOKIE_SECRET: {{ index $existing.data "COOKIE_SECRET" | b64dec | quote }}
  {{- else }}
  COOKIE_SECRET: {{ randAlphaNum 32 | quote }}
  {{- end }}
""", locals())


def d_ansible_inventory(g: Gen) -> LabelledDoc:
    ip1, ip3, ip4, ip5, ip6 = (I(g.ip()) for _ in range(5))
    pw1 = P(g.pw())
    pw2 = P(g.pw(syms=SHELL_SQ_SYMS))
    pw3 = P(g.pw(syms=XML_SYMS))
    pw4 = P(g.pw())
    return mk("ansible/inventories/production/hosts.ini", """
# Production inventory - managed by the infra team
[web]
web-01 ansible_host=«ip1» ansible_user=deploy
web-02 ansible_host=10.20.0.12 ansible_user=deploy
web-03 ansible_host=10.20.0.13 ansible_user=deploy ansible_ssh_common_args='-o ProxyJump=bastion'

[db]
db-01 ansible_host=«ip3» ansible_user=root ansible_password=«pw1»
db-02 ansible_host=«ip4» ansible_port=2222 ansible_user=admin ansible_ssh_pass='«pw2»'

[windows]
win-01 ansible_host=«ip5» ansible_user=Administrator ansible_password="«pw3»" ansible_connection=winrm ansible_winrm_server_cert_validation=ignore

[bastion]
bastion ansible_host=«ip6»

[monitoring:children]
web
db

[all:vars]
ansible_python_interpreter=/usr/bin/python3
ansible_become=true
ansible_become_pass=«pw4»
ntp_servers=["0.pool.ntp.org","1.pool.ntp.org"]
dns_servers=["8.8.8.8","8.8.4.4"]
""", locals())


def d_ansible_vault_vars(g: Gen) -> LabelledDoc:
    blob1 = g.vault_blob("          ")
    blob2 = g.vault_blob("          ")
    return mk("ansible/group_vars/all/vars.yml", """
---
# Plain variables reference the vaulted ones (vault.yml) so grep finds them.
app_db_user: app
app_db_password: "{{ vault_app_db_password }}"
app_db_name: app_production
mysql_root_password: "{{ vault_mysql_root_password }}"
smtp_password: "{{ lookup('env', 'SMTP_PASSWORD') }}"
grafana_admin_password: "{{ lookup('community.hashi_vault.hashi_vault', 'secret=kv/data/grafana:admin') }}"
deploy_user_password: "{{ vault_deploy_password | password_hash('sha512', 'saltsalt') }}"
backup_passphrase: !vault |
          «blob1»
registry_token: !vault |
          «blob2»

nginx_worker_connections: 4096
allowed_networks:
  - 10.0.0.0/8
  - 192.168.0.0/16
  - 127.0.0.1
dns_resolvers: [1.1.1.1, 9.9.9.9]
docs_network: 198.51.100.0/24
ssh_port: 22
""", locals())


def d_ansible_mysql(g: Gen) -> LabelledDoc:
    root = g.pw()
    root_pw = root_pw2 = P(root)
    primary_ip = I(g.ip())
    repl_pw = P(g.pw())
    dba_email = E(g.email())
    return mk("ansible/roles/mysql/tasks/main.yml", """
---
- name: Install MySQL server
  ansible.builtin.apt:
    name: [mysql-server-8.0, python3-pymysql]
    state: present
    update_cache: true

- name: Set root password
  community.mysql.mysql_user:
    name: root
    host_all: true
    password: "«root_pw»"
    login_unix_socket: /run/mysqld/mysqld.sock

- name: Create application user
  community.mysql.mysql_user:
    name: "{{ app_db_user }}"
    password: "{{ app_db_password }}"
    priv: "{{ app_db_name }}.*:ALL"
    host: "10.20.%"
    login_user: root
    login_password: «root_pw2»

- name: Configure replication from primary
  community.mysql.mysql_replication:
    mode: changeprimary
    primary_host: «primary_ip»
    primary_user: repl
    primary_password: «repl_pw»
    primary_auto_position: true
  when: mysql_role == 'replica'

- name: Create htpasswd for the metrics endpoint
  community.general.htpasswd:
    path: /etc/nginx/.htpasswd
    name: monitor
    password: "{{ lookup('ansible.builtin.password', '/dev/null length=20') }}"

- name: Notify the DBA
  community.general.mail:
    host: localhost
    to: «dba_email»
    subject: "MySQL provisioned on {{ inventory_hostname }}"
    body: "Replica of «primary_ip» is up."
""", locals())


def d_ansible_site(g: Gen) -> LabelledDoc:
    admin_email = E(g.email())
    ip1, ip2 = I(g.ip()), I(g.ip())
    mysql_root = P(g.pw())
    sha = g.sha512crypt()
    pub = g.ssh_pub() + " " + g.first() + "@laptop"
    gf_pw = P(yq1(g.pw(syms=SAFE_SYMS + "'#")))
    gh_user = g.handle()
    ghp = K(g.ghp())
    return mk("ansible/site.yml", """
---
- hosts: all
  become: true
  vars:
    admin_email: «admin_email»
    ssh_allowed_sources:
      - «ip1»
      - «ip2»
      - 192.168.10.0/24
    mysql_root_password: «mysql_root»
    users:
      - name: alice
        groups: [sudo]
        password: "«sha»"
        ssh_key: "«pub»"
    grafana_admin_password: '«gf_pw»'
  roles:
    - common
    - { role: mysql, when: "'db' in group_names" }
    - grafana
  tasks:
    - name: Log in to GHCR
      community.docker.docker_login:
        registry_url: ghcr.io
        username: «gh_user»
        password: «ghp»

    - name: Allow SSH only from the office
      community.general.ufw:
        rule: allow
        port: "22"
        src: "{{ item }}"
      loop: "{{ ssh_allowed_sources }}"

    - name: Ensure unattended-upgrades mails the admin
      ansible.builtin.lineinfile:
        path: /etc/apt/apt.conf.d/50unattended-upgrades
        regexp: '^//Unattended-Upgrade::Mail '
        line: 'Unattended-Upgrade::Mail "{{ admin_email }}";'
""", locals())


def d_tf_main(g: Gen) -> LabelledDoc:
    proj = g.word()
    acct = g.digits(12)
    kuuid = g.uuid()
    aws_id, aws_sec = K(g.aws_id()), K(g.aws_secret())
    office_ip, vpn_ip = I(g.ip()), I(g.ip())
    db_pw = P(yq2(g.rich_pw()))
    return mk("infra/terraform/main.tf", """
terraform {
  required_version = ">= 1.6.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
  }
  backend "s3" {
    bucket     = "«proj»-tfstate"
    key        = "prod/terraform.tfstate"
    region     = "eu-west-1"
    encrypt    = true
    kms_key_id = "arn:aws:kms:eu-west-1:«acct»:key/«kuuid»"
  }
}

# TODO: move to a profile, this was only for the first bootstrap
provider "aws" {
  region     = "eu-west-1"
  access_key = "«aws_id»"
  secret_key = "«aws_sec»"
}

resource "aws_security_group" "bastion" {
  name   = "«proj»-bastion"
  vpc_id = module.vpc.vpc_id

  ingress {
    description = "SSH from office and VPN"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["«office_ip»/32", "«vpn_ip»/32"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_db_instance" "main" {
  identifier              = "«proj»-prod"
  engine                  = "postgres"
  engine_version          = "15.5"
  instance_class          = "db.t4g.medium"
  allocated_storage       = 100
  username                = "dbadmin"
  password                = "«db_pw»"
  storage_encrypted       = true
  kms_key_id              = aws_kms_key.rds.arn
  backup_retention_period = 14
  skip_final_snapshot     = false
}

resource "aws_ssm_parameter" "db_password" {
  name  = "/prod/api/db_password"
  type  = "SecureString"
  value = var.db_password
}
""", locals())


def d_tfvars(g: Gen) -> LabelledDoc:
    proj = g.word()
    email = E(g.email())
    db_pw = P(yq2(g.pw(syms=RICH_SYMS)))
    dd_api, dd_app = K(g.hex(32)), K(g.hex(40))
    cf = K(g.s(40, B64U))
    zone = g.hex(32)
    ip1, ip2 = I(g.ip()), I(g.ip6())
    gho = K(g.ghp("gho_"))
    do = K(g.dop())
    return mk(f"infra/envs/prod/{proj}.auto.tfvars", """
project     = "«proj»"
environment = "prod"
region      = "eu-west-1"
owner_email = "«email»"

db_instance_class = "db.r6g.large"
db_password       = "«db_pw»"

datadog_api_key = "«dd_api»"
datadog_app_key = "«dd_app»"

cloudflare_api_token = "«cf»"
cloudflare_zone_id   = "«zone»"

digitalocean_token = "«do»"

allowed_admin_ips = [
  "«ip1»/32",
  "«ip2»/128",
]

github_token = "«gho»"

tags = {
  Team       = "platform"
  CostCenter = "cc-4410"
  ManagedBy  = "terraform"
}
""", locals())



def d_cloudformation(g: Gen) -> LabelledDoc:
    pw1 = P(g.pw())
    email = E(g.email(role=True))
    redis_tok = P(g.pw(syms="!*-_.+?~^", style="random"))
    oncall = E(g.email())
    acct, kid = g.digits(12), g.uuid()
    return mk("cloudformation/database.yaml", """
AWSTemplateFormatVersion: "2010-09-09"
Description: Primary database, cache and alarm topic

Parameters:
  DBPassword:
    Type: String
    NoEcho: true
    Default: «pw1»
    MinLength: 8
  AlertEmail:
    Type: String
    Default: «email»

Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: mysql
      EngineVersion: "8.0.35"
      DBInstanceClass: db.t3.medium
      AllocatedStorage: "50"
      MasterUsername: admin
      MasterUserPassword: !Ref DBPassword
      KmsKeyId: arn:aws:kms:us-east-1:«acct»:key/«kid»

  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Database
      MasterUserPassword: '{{resolve:secretsmanager:prod/db:SecretString:password}}'

  Cache:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: sessions
      Engine: redis
      CacheNodeType: cache.t4g.small
      TransitEncryptionEnabled: true
      AuthToken: «redis_tok»

  AlarmTopic:
    Type: AWS::SNS::Topic
    Properties:
      Subscription:
        - Endpoint: !Ref AlertEmail
          Protocol: email
        - Endpoint: «oncall»
          Protocol: email

Outputs:
  Endpoint:
    Value: !GetAtt Database.Endpoint.Address
""", locals())


def d_gh_deploy(g: Gen) -> LabelledDoc:
    ip = I(g.ip())
    slack = K(g.slack_path())
    dh_pw = P(shq2(g.pw(syms=SAFE_SYMS + "#$")))
    dh_user = g.handle()
    bot_email = E(g.email())
    ssh_pw = P(g.pw())
    return mk(".github/workflows/deploy.yml", """
name: Deploy

on:
  push:
    branches: [main]
  workflow_dispatch:

env:
  REGISTRY: ghcr.io
  IMAGE_NAME: ${{ github.repository }}
  DEPLOY_HOST: «ip»
  SLACK_WEBHOOK: https://hooks.slack.com/services/«slack»

jobs:
  build:
    runs-on: ubuntu-22.04
    permissions:
      contents: read
      packages: write
    steps:
      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11 # v4.1.1
      - uses: docker/login-action@v3
        with:
          registry: ${{ env.REGISTRY }}
          username: ${{ github.actor }}
          password: ${{ secrets.GITHUB_TOKEN }}
      - name: Log in to Docker Hub (mirror)
        run: echo "«dh_pw»" | docker login -u «dh_user» --password-stdin
      - name: Configure git
        run: |
          git config user.name "release-bot"
          git config user.email "«bot_email»"
      - uses: docker/build-push-action@v5
        with:
          push: true
          tags: ${{ env.REGISTRY }}/${{ env.IMAGE_NAME }}:${{ github.sha }}

  deploy:
    needs: build
    runs-on: ubuntu-22.04
    steps:
      - uses: appleboy/ssh-action@v1.0.3
        with:
          host: ${{ env.DEPLOY_HOST }}
          username: deploy
          password: «ssh_pw»
          port: 22
          script: |
            cd /srv/app && docker compose pull && docker compose up -d
      - name: Notify
        if: always()
        run: |
          curl -X POST -H 'Content-type: application/json' \\
            --data '{"text":"deployed ${{ github.sha }}"}' "$SLACK_WEBHOOK"
""", locals())


def d_gh_ci(g: Gen) -> LabelledDoc:
    raw = g.pw()
    pg_pw, pg_pw2 = P(raw), P(url(raw))
    openai = K(g.openai())
    hf = K(g.hf())
    return mk(".github/workflows/ci.yml", """
name: CI
on: [push, pull_request]

concurrency:
  group: ci-${{ github.ref }}
  cancel-in-progress: true

jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python: ["3.10", "3.11", "3.12"]
    services:
      postgres:
        image: postgres:15
        env:
          POSTGRES_USER: test
          POSTGRES_PASSWORD: «pg_pw»
        ports: ["5432:5432"]
        options: >-
          --health-cmd pg_isready --health-interval 10s --health-retries 5
    env:
      DATABASE_URL: postgres://test:«pg_pw2»@localhost:5432/test
      CODECOV_TOKEN: ${{ secrets.CODECOV_TOKEN }}
      OPENAI_API_KEY: «openai»
      HF_TOKEN: «hf»
      PIP_DISABLE_PIP_VERSION_CHECK: "1"
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@0a5c61591373683505ea898e09a3ea4f39ef2b9c # v5.0.0
        with:
          python-version: ${{ matrix.python }}
          cache: pip
      - run: pip install -r requirements-dev.txt
      - run: pytest -q --cov=src --cov-report=xml
      - uses: codecov/codecov-action@v4
        with:
          files: coverage.xml
""", locals())


def d_gitlab_ci(g: Gen) -> LabelledDoc:
    dom = g.domain()
    b64auth = K(b64(f"ci-bot:{g.pw()}"))
    pg_pw = P(g.pw())
    squ = K(g.squ())
    ssh_pw = P(g.pw(syms=SHELL_SQ_SYMS))
    ip = I(g.ip())
    trigger = K("glptt-" + g.hex(40))
    pid = g.digits(8)
    return mk(".gitlab-ci.yml", """
variables:
  DOCKER_DRIVER: overlay2
  DOCKER_TLS_CERTDIR: "/certs"
  DOCKER_AUTH_CONFIG: '{"auths":{"registry.«dom»":{"auth":"«b64auth»"}}}'
  POSTGRES_DB: test
  POSTGRES_USER: runner
  POSTGRES_PASSWORD: «pg_pw»
  SONAR_HOST_URL: https://sonar.«dom»
  SONAR_TOKEN: «squ»

stages: [build, test, deploy]

build:
  stage: build
  image: docker:25
  services: [docker:25-dind]
  script:
    - docker login -u "$CI_REGISTRY_USER" -p "$CI_REGISTRY_PASSWORD" $CI_REGISTRY
    - docker build -t $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA .
    - docker push $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA

test:
  stage: test
  image: python:3.12
  services: [postgres:15]
  script:
    - pip install -r requirements.txt
    - pytest --junitxml=report.xml
  artifacts:
    reports:
      junit: report.xml

deploy_staging:
  stage: deploy
  image: alpine:3.19
  before_script:
    - apk add --no-cache openssh-client sshpass curl
  script:
    - sshpass -p '«ssh_pw»' ssh -o StrictHostKeyChecking=no deploy@«ip» "cd /srv && ./deploy.sh $CI_COMMIT_SHA"
    - curl -X POST -F token=«trigger» -F ref=main https://gitlab.com/api/v4/projects/«pid»/trigger/pipeline
  environment:
    name: staging
  only: [main]
""", locals())


def d_jenkinsfile(g: Gen) -> LabelledDoc:
    dom = g.domain()
    art = K(g.artifactory())
    nexus_pw = P(g.pw())
    ip = I(g.ip())
    e1, e2 = E(g.email(dom)), E(g.email(dom, role=True))
    return mk("Jenkinsfile", """
pipeline {
    agent { label 'linux && docker' }

    options {
        timeout(time: 30, unit: 'MINUTES')
        buildDiscarder(logRotator(numToKeepStr: '20'))
    }

    environment {
        SONAR_TOKEN = credentials('sonar-token')
        NEXUS_URL = 'https://nexus.«dom»'
        ARTIFACTORY_API_KEY = '«art»'
        JAVA_HOME = '/usr/lib/jvm/temurin-17'
    }

    stages {
        stage('Build') {
            steps {
                sh './mvnw -B -DskipTests package'
            }
        }
        stage('Publish') {
            when { branch 'main' }
            steps {
                sh "curl -u deployer:«nexus_pw» --upload-file target/app.jar ${NEXUS_URL}/repository/releases/"
            }
        }
        stage('Deploy') {
            when { branch 'main' }
            steps {
                withCredentials([usernamePassword(credentialsId: 'prod-ssh', usernameVariable: 'USER', passwordVariable: 'PASS')]) {
                    sh 'sshpass -p "$PASS" ssh -o StrictHostKeyChecking=no $USER@«ip» ./deploy.sh'
                }
            }
        }
    }

    post {
        failure {
            mail to: '«e1», «e2»',
                 subject: "Build failed: ${env.JOB_NAME} #${env.BUILD_NUMBER}",
                 body: "See ${env.BUILD_URL}"
        }
    }
}
""", locals())


def d_circleci(g: Gen) -> LabelledDoc:
    dh_user = g.handle()
    dh_pw = K(g.dckr())
    akid, asec = K(g.aws_id()), K(g.aws_secret())
    npm = K(g.npm())
    return mk(".circleci/config.yml", """
version: 2.1

orbs:
  node: circleci/node@5.2.0
  aws-cli: circleci/aws-cli@4.1.3

jobs:
  build:
    docker:
      - image: cimg/node:20.11
        auth:
          username: «dh_user»
          password: «dh_pw»
    environment:
      AWS_ACCESS_KEY_ID: «akid»
      AWS_SECRET_ACCESS_KEY: «asec»
      AWS_DEFAULT_REGION: us-east-1
      NPM_TOKEN: «npm»
    steps:
      - checkout
      - run: echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > ~/.npmrc
      - node/install-packages:
          pkg-manager: npm
      - run: npm test -- --ci
      - run: npm run build
      - run: aws s3 sync dist/ s3://static-site-prod --delete

workflows:
  main:
    jobs:
      - build:
          filters:
            branches:
              only: main
""", locals())


def d_travis(g: Gen) -> LabelledDoc:
    blob1, blob2, blob3 = (b64(g.bytes(256)) for _ in range(3))
    heroku = K(g.heroku())
    ci_pw = P(g.pw(syms="!*-_.+?~^@#"))
    e1, e2 = E(g.email()), E(g.email())
    app = g.word()
    return mk(".travis.yml", """
language: python
dist: jammy
python:
  - "3.10"
  - "3.11"
  - "3.12"

env:
  global:
    - secure: "«blob1»"
    - HEROKU_API_KEY=«heroku»
    - PYTHONHASHSEED=0

addons:
  postgresql: "15"

services:
  - redis-server

before_script:
  - psql -c "CREATE USER ci WITH PASSWORD '«ci_pw»';" -U postgres
  - psql -c 'CREATE DATABASE test OWNER ci;' -U postgres

script:
  - pytest -q

notifications:
  email:
    recipients:
      - «e1»
      - «e2»
    on_success: change
    on_failure: always
  slack:
    secure: "«blob2»"

deploy:
  provider: heroku
  app: «app»-staging
  api_key:
    secure: "«blob3»"
  on:
    branch: main
""", locals())


def d_spring_properties(g: Gen) -> LabelledDoc:
    app = g.word()
    db_ip = I(g.ip())
    db_pw = P(g.pw(syms=SAFE_SYMS + "#$%&/"))  # properties: only leading whitespace matters
    mail_user = E(g.first() + "." + g.last() + "@gmail.com")
    app_pw = P(" ".join(g.s(4, string.ascii_lowercase) for _ in range(4)) if g.r.random() < 0.5
               else g.s(16, string.ascii_lowercase))
    jwt_secret = K(b64(g.bytes(64)))
    gcid = g.google_client_id()
    gocspx = K(g.gocspx())
    return mk(f"{app}-service/src/main/resources/application-prod.properties", """
spring.application.name=«app»-service
server.port=8080
server.forward-headers-strategy=framework

spring.datasource.url=jdbc:mysql://«db_ip»:3306/«app»?useSSL=true&serverTimezone=UTC
spring.datasource.username=«app»_rw
spring.datasource.password=«db_pw»
spring.datasource.hikari.maximum-pool-size=20
spring.jpa.hibernate.ddl-auto=validate
spring.jpa.open-in-view=false

spring.mail.host=smtp.gmail.com
spring.mail.port=587
spring.mail.username=«mail_user»
spring.mail.password=«app_pw»
spring.mail.properties.mail.smtp.auth=true
spring.mail.properties.mail.smtp.starttls.enable=true

app.jwt.secret=«jwt_secret»
app.jwt.expiration-ms=86400000

spring.security.oauth2.client.registration.google.client-id=«gcid»
spring.security.oauth2.client.registration.google.client-secret=«gocspx»
spring.security.oauth2.client.registration.google.scope=openid,profile,email

spring.data.redis.host=redis
spring.data.redis.password=${REDIS_PASSWORD}

management.endpoints.web.exposure.include=health,info,prometheus
management.server.address=127.0.0.1
logging.level.org.springframework=INFO
info.app.version=@project.version@
""", locals())


def d_spring_yaml(g: Gen) -> LabelledDoc:
    db_ip, mq_ip = I(g.ip()), I(g.ip())
    db_pw = P(yq1(g.pw(syms=SAFE_SYMS + "'#:")))
    mq_pw = P(g.pw())
    kafka_pw = P(g.pw(syms="!*-_.+?~^@#%"))
    okta_id = "0oa" + g.s(17, AL)
    okta_secret = K(g.s(40, B64U))
    eureka = P(url(g.pw(syms=URL_SYMS)))
    return mk("orders/src/main/resources/application.yml", """
server:
  port: 8081
  shutdown: graceful

spring:
  application:
    name: orders
  datasource:
    url: jdbc:postgresql://«db_ip»:5432/orders
    username: orders
    password: '«db_pw»'
    hikari:
      maximum-pool-size: 15
  rabbitmq:
    host: «mq_ip»
    port: 5671
    username: orders
    password: «mq_pw»
    ssl:
      enabled: true
  kafka:
    bootstrap-servers: kafka-0.kafka:9092,kafka-1.kafka:9092
    properties:
      security.protocol: SASL_SSL
      sasl.mechanism: PLAIN
      sasl.jaas.config: org.apache.kafka.common.security.plain.PlainLoginModule required username="orders" password="«kafka_pw»";
  security:
    oauth2:
      client:
        registration:
          okta:
            client-id: «okta_id»
            client-secret: «okta_secret»
            scope: openid,profile

eureka:
  client:
    service-url:
      defaultZone: http://eureka:«eureka»@discovery:8761/eureka/

management:
  endpoints:
    web:
      exposure:
        include: health,prometheus
""", locals())


def d_maven_settings(g: Gen) -> LabelledDoc:
    dom = g.domain()
    pw1 = P(g.pw(syms=XML_SYMS))
    gh_user = g.handle()
    ghp = K(g.ghp())
    enc = "{" + b64(g.bytes(24)) + "}"
    proxy_ip = I(g.ip())
    proxy_pw = P(g.pw(syms=XML_SYMS))
    gpg_pw = P(g.pw(syms=XML_SYMS))
    return mk(".m2/settings.xml", """
<?xml version="1.0" encoding="UTF-8"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.2.0"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.2.0 https://maven.apache.org/xsd/settings-1.2.0.xsd">
  <servers>
    <server>
      <id>nexus-releases</id>
      <username>deployment</username>
      <password>«pw1»</password>
    </server>
    <server>
      <id>github</id>
      <username>«gh_user»</username>
      <password>«ghp»</password>
    </server>
    <server>
      <id>nexus-snapshots</id>
      <username>deployment</username>
      <password>«enc»</password>
    </server>
  </servers>
  <proxies>
    <proxy>
      <id>corp</id>
      <active>true</active>
      <protocol>http</protocol>
      <host>«proxy_ip»</host>
      <port>3128</port>
      <username>proxyuser</username>
      <password>«proxy_pw»</password>
      <nonProxyHosts>localhost|127.0.0.1|*.«dom»</nonProxyHosts>
    </proxy>
  </proxies>
  <mirrors>
    <mirror>
      <id>nexus</id>
      <mirrorOf>*</mirrorOf>
      <url>https://nexus.«dom»/repository/maven-public/</url>
    </mirror>
  </mirrors>
  <profiles>
    <profile>
      <id>release</id>
      <properties>
        <gpg.keyname>«gh_user»-release</gpg.keyname>
        <gpg.passphrase>«gpg_pw»</gpg.passphrase>
      </properties>
    </profile>
  </profiles>
</settings>
""", locals())


def d_nuget(g: Gen) -> LabelledDoc:
    org = g.word()
    gh_user = g.handle()
    ghp = K(g.ghp())
    email = E(g.email())
    dpapi = b64(g.bytes(178))
    pw = P(g.pw(syms=XML_SYMS))
    oy2 = K(g.nuget())
    apikey_enc = b64(g.bytes(130))
    return mk("NuGet.config", """
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
    <add key="github" value="https://nuget.pkg.github.com/«org»/index.json" />
    <add key="internal" value="https://pkgs.dev.azure.com/«org»/_packaging/feed/nuget/v3/index.json" />
    <add key="myget" value="https://www.myget.org/F/«org»/api/v3/index.json" />
  </packageSources>
  <packageSourceCredentials>
    <github>
      <add key="Username" value="«gh_user»" />
      <add key="ClearTextPassword" value="«ghp»" />
    </github>
    <internal>
      <add key="Username" value="«email»" />
      <add key="Password" value="«dpapi»" />
    </internal>
    <myget>
      <add key="Username" value="build" />
      <add key="ClearTextPassword" value="«pw»" />
    </myget>
  </packageSourceCredentials>
  <apikeys>
    <add key="https://www.nuget.org/api/v2/package" value="«apikey_enc»" />
  </apikeys>
  <!-- push manually with: dotnet nuget push *.nupkg -k «oy2» -s https://api.nuget.org/v3/index.json -->
  <config>
    <add key="globalPackagesFolder" value="%USERPROFILE%\\.nuget\\packages" />
  </config>
</configuration>
""", locals())


def d_npmrc(g: Gen) -> LabelledDoc:
    org, dom = g.word(), g.domain()
    npm = K(g.npm())
    auth = K(b64(f"{g.handle()}:{g.pw()}"))
    pw_b64 = K(b64(g.pw()))
    email = E(g.email())
    glpat = K(g.glpat())
    pid = g.digits(8)
    return mk(".npmrc", """
registry=https://registry.npmjs.org/
@«org»:registry=https://npm.pkg.github.com/
//npm.pkg.github.com/:_authToken=${GITHUB_TOKEN}
//registry.npmjs.org/:_authToken=«npm»

; private mirror for the legacy packages
@legacy:registry=https://nexus.«dom»/repository/npm-private/
//nexus.«dom»/repository/npm-private/:_auth=«auth»
//nexus.«dom»/repository/npm-private/:email=«email»
//nexus.«dom»/repository/npm-private/:always-auth=true

; gitlab package registry (scoped)
@«org»-gl:registry=https://gitlab.com/api/v4/projects/«pid»/packages/npm/
//gitlab.com/api/v4/projects/«pid»/packages/npm/:_authToken=«glpat»

; verdaccio on the build box
//verdaccio.«dom»/:username=ci
//verdaccio.«dom»/:_password=«pw_b64»

save-exact=true
engine-strict=true
fund=false
audit-level=high
""", locals())


def d_pypirc(g: Gen) -> LabelledDoc:
    pypi = K(g.pypi())
    user = g.handle()
    pw1 = P(g.pw(syms=SAFE_SYMS + "#$&/"))
    ip = I(g.ip())
    pw2 = P(g.pw())
    return mk(".pypirc", """
[distutils]
index-servers =
    pypi
    testpypi
    internal

[pypi]
username = __token__
password = «pypi»

[testpypi]
repository = https://test.pypi.org/legacy/
username = «user»
password = «pw1»

[internal]
repository = https://«ip»:8443/simple/
username = ci
password = «pw2»
""", locals())


def d_pipconf(g: Gen) -> LabelledDoc:
    dom = g.domain()
    user = g.handle()
    pw_url = P(url(g.pw(syms=URL_SYMS)))
    glpat = K(g.glpat())
    pid = g.digits(8)
    return mk("etc/pip.conf", """
# /etc/pip.conf - baked into the CI runner image
[global]
timeout = 60
retries = 3
index-url = https://«user»:«pw_url»@pypi.«dom»/simple
extra-index-url =
    https://__token__:«glpat»@gitlab.com/api/v4/projects/«pid»/packages/pypi/simple
    https://download.pytorch.org/whl/cu121
trusted-host = pypi.«dom»
               10.12.0.5
disable-pip-version-check = true

[install]
require-hashes = false
no-warn-script-location = true

[freeze]
all = true
""", locals())


def d_netrc(g: Gen) -> LabelledDoc:
    dom = g.domain()
    gh_user = g.handle()
    ghp = K(g.ghp())
    email = E(g.email())
    heroku = K(g.heroku())
    user = g.first()
    pw1 = P(g.pw())
    ip = I(g.ip())
    pw2 = P(g.pw())
    anon = E(g.email())
    return mk(".netrc", """
machine github.com
  login «gh_user»
  password «ghp»
machine api.heroku.com
  login «email»
  password «heroku»
machine git.heroku.com
  login «email»
  password «heroku»
machine ftp.«dom» login «user» password «pw1»
machine «ip» login backup password «pw2»
default login anonymous password «anon»
""", locals())


def d_git_credentials(g: Gen) -> LabelledDoc:
    dom = g.domain()
    gh_user = g.handle()
    ghp = K(g.ghp())
    glpat = K(g.glpat())
    bb_user = g.handle()
    pw_url = P(url(g.rich_pw()))
    gh_pat = K(g.gh_pat())
    bb = K(g.bitbucket())
    user = g.first()
    pw2 = P(url(g.pw(syms=URL_SYMS)))
    return mk(".git-credentials", """
https://«gh_user»:«ghp»@github.com
https://oauth2:«glpat»@gitlab.com
https://«bb_user»:«pw_url»@bitbucket.org
https://«gh_user»:«gh_pat»@github.com
https://x-token-auth:«bb»@bitbucket.org
https://«user»:«pw2»@git.«dom»
""", locals())


def d_aws_credentials(g: Gen) -> LabelledDoc:
    id1, sec1 = K(g.aws_id()), K(g.aws_secret())
    id2, sec2 = K(g.aws_id()), K(g.aws_secret())
    asia, sec3, session = K(g.aws_id("ASIA")), K(g.aws_secret()), K(g.aws_session())
    org = g.word()
    acct = g.digits(12)
    user = g.first()
    return mk(".aws/credentials", """
[default]
aws_access_key_id = «id1»
aws_secret_access_key = «sec1»

[prod-admin]
aws_access_key_id = «id2»
aws_secret_access_key = «sec2»
region = eu-west-1

[temp-session]
aws_access_key_id = «asia»
aws_secret_access_key = «sec3»
aws_session_token = «session»

# from the AWS docs, used by the localstack tests
[docs-example]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[profile sso-dev]
sso_start_url = https://«org».awsapps.com/start
sso_region = eu-west-1
sso_account_id = «acct»
sso_role_name = PowerUserAccess
mfa_serial = arn:aws:iam::«acct»:mfa/«user»
""", locals())


def d_kubeconfig(g: Gen) -> LabelledDoc:
    ca = b64(g.cert(6))
    ip = I(g.ip())
    cert = b64(g.cert(6))
    key = K(b64(g.pem("RSA", lines=8)))
    token = K(g.jwt({"iss": "kubernetes/serviceaccount",
                     "kubernetes.io/serviceaccount/namespace": "ci",
                     "kubernetes.io/serviceaccount/secret.name": "deployer-token-" + g.s(5, LOWER_AL),
                     "sub": "system:serviceaccount:ci:deployer"}, alg="RS256"))
    pw = P(g.pw())
    return mk(".kube/config", """
apiVersion: v1
kind: Config
current-context: prod
clusters:
- cluster:
    certificate-authority-data: «ca»
    server: https://«ip»:6443
  name: prod
- cluster:
    insecure-skip-tls-verify: true
    server: https://127.0.0.1:6443
  name: kind-dev
contexts:
- context: {cluster: prod, user: prod-admin}
  name: prod
- context: {cluster: prod, user: ci, namespace: ci}
  name: prod-ci
- context: {cluster: kind-dev, user: basic}
  name: dev
users:
- name: prod-admin
  user:
    client-certificate-data: «cert»
    client-key-data: «key»
- name: ci
  user:
    token: «token»
- name: basic
  user:
    username: admin
    password: «pw»
- name: eks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [eks, get-token, --cluster-name, prod]
""", locals())


def d_ssh_config(g: Gen) -> LabelledDoc:
    ip1, ip2, ip6 = I(g.ip()), I(g.ip()), I(g.ip6())
    dom = g.domain()
    return mk(".ssh/config", """
Host bastion
    HostName «ip1»
    User ec2-user
    IdentityFile ~/.ssh/bastion.pem
    ForwardAgent no

Host web-*
    ProxyJump bastion
    User deploy

Host web-1
    HostName 10.0.1.21

Host web-2
    HostName 10.0.1.22

Host gitlab
    HostName gitlab.«dom»
    Port 2222
    User git

Host legacy
    HostName «ip2»
    HostKeyAlgorithms +ssh-rsa
    KexAlgorithms +diffie-hellman-group14-sha1
    PubkeyAcceptedAlgorithms +ssh-rsa

Host v6box
    HostName «ip6»
    AddressFamily inet6

Host pi
    HostName 192.168.1.50
    User pi

Host *
    ServerAliveInterval 30
    IdentitiesOnly yes
    UserKnownHostsFile ~/.ssh/known_hosts
""", locals())


def d_known_hosts(g: Gen) -> LabelledDoc:
    k = [g.ssh_pub(g.pick(["ed25519", "ecdsa"])) for _ in range(6)]
    rsa = g.ssh_pub("rsa")
    ip1, ip3 = I(g.ip()), I(g.ip6())
    salt, hsh = b64(g.bytes(20)), b64(g.bytes(20))
    dom = g.domain()
    k0, k1, k2, k3, k4, k5 = k
    return mk(".ssh/known_hosts", """
github.com «k0»
«ip1» «k1»
[gitlab.«dom»]:2222 «k2»
|1|«salt»|«hsh» «rsa»
192.168.1.10 «k3»
gitlab.«dom»,«ip3» «k4»
10.20.0.13 «k5»
""", locals())


def d_dockerfile(g: Gen) -> LabelledDoc:
    sha = g.hex(64)
    email = E(g.email())
    org = g.word()
    db_pw = P(g.pw(syms="!*-_.+?~^@#%"))
    maps = K(g.aiza())
    app_pw = P(shq2(g.pw(syms=SAFE_SYMS)))
    return mk("Dockerfile", """
# syntax=docker/dockerfile:1.6
FROM python:3.12-slim@sha256:«sha» AS base

LABEL maintainer="«email»" \\
      org.opencontainers.image.source="https://github.com/«org»/api"

ARG PIP_INDEX_URL
ARG NPM_TOKEN
ARG BUILD_DATE

ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1 \\
    DB_HOST=db \\
    DB_USER=api \\
    DB_PASSWORD=«db_pw» \\
    GOOGLE_MAPS_API_KEY=«maps»

RUN apt-get update \\
 && apt-get install -y --no-install-recommends libpq5 curl \\
 && rm -rf /var/lib/apt/lists/*

RUN useradd -m app && echo "app:«app_pw»" | chpasswd

WORKDIR /app
COPY requirements.txt .
RUN --mount=type=secret,id=pip_conf,target=/etc/pip.conf pip install -r requirements.txt

COPY . .
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s CMD curl -fsS http://localhost:8000/health || exit 1
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app.wsgi:application"]
""", locals())


def d_nginx(g: Gen) -> LabelledDoc:
    dom = g.domain()
    ip1, ip2, ip3, ip4 = I(g.ip()), I(g.ip()), I(g.ip6()), I(g.ip())
    basic = K(b64(f"{g.first()}:{g.pw()}"))
    return mk(f"nginx/sites-available/{dom}.conf", """
upstream api_backend {
    server 10.0.2.11:8000 max_fails=3 fail_timeout=10s;
    server 10.0.2.12:8000 max_fails=3 fail_timeout=10s;
    server «ip1»:8000 backup;
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
    server_name «dom»;

    ssl_certificate     /etc/letsencrypt/live/«dom»/fullchain.pem;
    ssl_certificate_key /etc/letsencrypt/live/«dom»/privkey.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    resolver 1.1.1.1 8.8.8.8 valid=300s;

    set_real_ip_from 10.0.0.0/8;
    real_ip_header X-Forwarded-For;

    location /admin/ {
        allow «ip2»;
        allow «ip3»;
        allow 192.168.0.0/16;
        deny  all;
        auth_basic           "Restricted";
        auth_basic_user_file /etc/nginx/.htpasswd;
        proxy_pass http://api_backend;
    }

    location /legacy/ {
        proxy_pass http://«ip4»:8080/;
        proxy_set_header Host legacy.«dom»;
        proxy_set_header Authorization "Basic «basic»";
    }

    location /metrics {
        allow 127.0.0.1;
        deny all;
    }

    location / {
        proxy_pass http://api_backend;
        proxy_set_header X-Real-IP $remote_addr;
    }
}
""", locals())


def d_apache(g: Gen) -> LabelledDoc:
    dom = g.domain()
    email = E(g.email(dom, role=True))
    ip1, ip3 = I(g.ip()), I(g.ip())
    apr = g.apr1()
    pw = P(g.pw(syms="!*-_.+?~^@#%"))
    return mk("apache2/sites-available/intranet.conf", """
<VirtualHost *:443>
    ServerName intranet.«dom»
    ServerAdmin «email»
    DocumentRoot /var/www/intranet

    SSLEngine on
    SSLCertificateFile    /etc/ssl/certs/intranet.pem
    SSLCertificateKeyFile /etc/ssl/private/intranet.key

    <Directory /var/www/intranet>
        Options -Indexes
        AuthType Basic
        AuthName "Intranet"
        AuthUserFile /etc/apache2/.htpasswd
        # entry for reference: admin:«apr»
        <RequireAny>
            Require ip «ip1»
            Require ip 192.168.20.0/24
            Require ip 10.8.0.0/16
            Require valid-user
        </RequireAny>
    </Directory>

    ProxyPreserveHost On
    ProxyPass        /api http://«ip3»:9000/api
    ProxyPassReverse /api http://«ip3»:9000/api

    SetEnv DB_PASS «pw»
    RemoteIPHeader X-Forwarded-For
    RemoteIPTrustedProxy 10.0.0.0/8

    ErrorLog ${APACHE_LOG_DIR}/intranet-error.log
    CustomLog ${APACHE_LOG_DIR}/intranet-access.log combined
</VirtualHost>
""", locals())


def d_haproxy(g: Gen) -> LabelledDoc:
    pw1 = P(g.pw())
    crypt = g.sha512crypt()
    bad1 = I(g.ip())
    ip1, ip2 = I(g.ip()), I(g.ip())
    pw2, pw3 = P(g.pw(syms="!*-_.+?~^@")), P(g.pw(syms="!*-_.+?~^@"))
    return mk("haproxy/haproxy.cfg", """
global
    log /dev/log local0
    chroot /var/lib/haproxy
    stats socket /run/haproxy/admin.sock mode 660 level admin
    user haproxy
    group haproxy
    daemon
    maxconn 20000

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

userlist admins
    user ops insecure-password «pw1»
    user audit password «crypt»

frontend fe_https
    bind :443 ssl crt /etc/haproxy/certs/ alpn h2,http/1.1
    acl blocked src «bad1» 100.72.14.9
    http-request deny if blocked
    acl internal src 10.0.0.0/8 192.168.0.0/16 127.0.0.1
    acl is_admin path_beg /admin
    http-request auth realm admin if is_admin !internal !{ http_auth(admins) }
    default_backend be_app

backend be_app
    balance roundrobin
    option httpchk GET /healthz
    server app1 «ip1»:8080 check
    server app2 «ip2»:8080 check
    server app3 10.1.0.13:8080 check backup

listen stats
    bind :8404
    stats enable
    stats uri /stats
    stats refresh 10s
    stats auth admin:«pw2»
    stats auth readonly:«pw3»
""", locals())


def d_postfix_sasl(g: Gen) -> LabelledDoc:
    sg = K(g.sendgrid())
    gmail = E(g.first() + "." + g.last() + "@gmail.com")
    gpw = P(g.s(16, string.ascii_lowercase))
    ses_id = K(g.aws_id())
    ses_secret = K("B" + g.s(43, B64))
    relay_ip = I(g.ip())
    pw = P(g.pw(syms="!*-_.+?~^@#"))
    return mk("etc/postfix/sasl_passwd", """
# /etc/postfix/sasl_passwd
# After editing run:  postmap /etc/postfix/sasl_passwd && systemctl reload postfix
# Format: [relayhost]:port username:password
[smtp.sendgrid.net]:587 apikey:«sg»
[smtp.gmail.com]:587 «gmail»:«gpw»
[email-smtp.us-east-1.amazonaws.com]:587 «ses_id»:«ses_secret»
[«relay_ip»]:25 relay:«pw»
""", locals())


def d_redis_conf(g: Gen) -> LabelledDoc:
    raw = g.pw(syms="!*-_.+?~^@#%")
    pw1a, pw1b = P(raw), P(raw)
    pw2 = P(g.pw())
    ip = I(g.ip())
    sha = g.hex(64)
    return mk("redis/redis.conf", """
# Redis configuration for the session cache (replica)
bind 127.0.0.1 -::1 10.0.5.21
protected-mode yes
port 6379
tcp-backlog 511
timeout 0
tcp-keepalive 300

daemonize no
supervised systemd
loglevel notice
logfile /var/log/redis/redis-server.log
databases 16

save 900 1
save 300 10
dbfilename dump.rdb
dir /var/lib/redis

replicaof «ip» 6379
masterauth «pw2»
replica-read-only yes

requirepass «pw1a»
user default on >«pw1b» ~* &* +@all
user metrics on #«sha» ~* +info +ping

rename-command FLUSHALL ""
rename-command CONFIG ""

maxmemory 2gb
maxmemory-policy allkeys-lru
appendonly yes
""", locals())


def d_mongo_backup(g: Gen) -> LabelledDoc:
    pw_url = P(url(g.pw(syms=URL_SYMS)))
    cl = g.s(5, LOWER_AL)
    ip = I(g.ip())
    pw2 = P(g.pw(syms=SHELL_SQ_SYMS))
    bucket = g.word()
    return mk("scripts/backup_mongo.sh", """
#!/usr/bin/env bash
# Nightly dump of the Atlas cluster + the self-hosted analytics replica.
set -euo pipefail

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=/var/backups/mongo/$STAMP
mkdir -p "$OUT"

MONGO_URI="mongodb+srv://backup:«pw_url»@cluster0.«cl».mongodb.net/?retryWrites=true&w=majority"
mongodump --uri="$MONGO_URI" --archive="$OUT/atlas.archive.gz" --gzip

# analytics replica (no SRV record)
mongosh --quiet --host «ip» --port 27017 -u admin -p '«pw2»' \\
  --authenticationDatabase admin --eval 'db.adminCommand({ ping: 1 })'
mongodump --host «ip» --port 27017 -u admin -p "$ANALYTICS_PASS" \\
  --authenticationDatabase admin --archive="$OUT/analytics.archive.gz" --gzip

aws s3 cp --recursive "$OUT" "s3://«bucket»-backups/mongo/$STAMP/" --sse aws:kms
find /var/backups/mongo -maxdepth 1 -mtime +7 -exec rm -rf {} +
echo "backup $STAMP done"
""", locals())


def d_mycnf(g: Gen) -> LabelledDoc:
    pw1 = P(g.pw())
    pw2 = P(yq2(g.pw(syms="!*-_.+?~^@#$%&;")))
    ip = I(g.ip())
    return mk("etc/mysql/conf.d/backup.cnf", """
# Credentials for the backup scripts - chmod 600!
[client]
user=root
password=«pw1»
socket=/var/run/mysqld/mysqld.sock

[mysqldump]
user=backup
password="«pw2»"
single-transaction
quick
max_allowed_packet=512M

[mysqld]
bind-address = 0.0.0.0
server-id = 2
report_host = «ip»
log_bin = /var/log/mysql/mysql-bin.log
binlog_format = ROW
gtid_mode = ON
enforce_gtid_consistency = ON
# validate_password.policy = MEDIUM
innodb_buffer_pool_size = 4G
""", locals())


def d_pgpass(g: Gen) -> LabelledDoc:
    dom = g.domain()
    pw1 = P(g.pw())
    ip = I(g.ip())
    pw2 = P(g.pw())
    raw3 = g.pw(syms=SAFE_SYMS + ":\\")
    if ":" not in raw3:
        raw3 = raw3[:3] + ":" + raw3[3:]
    pw3 = P(raw3.replace("\\", "\\\\").replace(":", "\\:"))
    pw4 = P(g.pw())
    return mk(".pgpass", """
# hostname:port:database:username:password
localhost:5432:*:postgres:«pw1»
«ip»:5432:analytics:reporting:«pw2»
db.«dom»:6432:*:app:«pw3»
*:*:*:replicator:«pw4»
""", locals())


def d_pg_hba(g: Gen) -> LabelledDoc:
    ip1, ip2 = I(g.ip()), I(g.ip())
    return mk("postgresql/16/main/pg_hba.conf", """
# PostgreSQL Client Authentication Configuration File
# TYPE  DATABASE        USER            ADDRESS                 METHOD

# "local" is for Unix domain socket connections only
local   all             postgres                                peer
local   all             all                                     peer
# IPv4 local connections:
host    all             all             127.0.0.1/32            scram-sha-256
# IPv6 local connections:
host    all             all             ::1/128                 scram-sha-256
# streaming replica in the other DC
host    replication     replicator      «ip1»/32        scram-sha-256
# BI tool (hosted)
hostssl analytics       metabase        «ip2»/32         scram-sha-256
# app subnets
host    all             all             10.0.0.0/8              scram-sha-256
host    all             all             172.16.0.0/12           scram-sha-256
host    all             all             0.0.0.0/0               reject
""", locals())


def d_kibana(g: Gen) -> LabelledDoc:
    dom = g.domain()
    ip1, ip2 = I(g.ip()), I(g.ip())
    pw = P(yq2(g.rich_pw()))
    k1, k2 = K(g.s(32, AL)), K(g.hex(32))
    return mk("kibana/config/kibana.yml", """
server.host: "0.0.0.0"
server.port: 5601
server.publicBaseUrl: "https://kibana.«dom»"
server.name: kibana-prod

elasticsearch.hosts: ["https://«ip1»:9200", "https://«ip2»:9200"]
elasticsearch.username: "kibana_system"
elasticsearch.password: "«pw»"
elasticsearch.ssl.certificateAuthorities: [ "/etc/kibana/certs/ca.crt" ]
elasticsearch.ssl.verificationMode: certificate

xpack.encryptedSavedObjects.encryptionKey: "«k1»"
xpack.security.encryptionKey: "«k2»"
xpack.security.session.idleTimeout: "1h"
xpack.reporting.roles.enabled: false

logging:
  appenders:
    file:
      type: file
      fileName: /var/log/kibana/kibana.log
      layout:
        type: json
  root:
    appenders: [default, file]

i18n.locale: "en"
""", locals())



def d_rabbit_defs(g: Gen) -> LabelledDoc:
    ph = b64(g.bytes(36))
    pw1 = P(jesc(g.pw(syms=RICH_SYMS)))
    pw2 = P(url(g.pw(syms=URL_SYMS)))
    ip = I(g.ip())
    ip2 = I(g.ip())
    pw3 = P(url(g.pw()))
    return mk("rabbitmq/definitions.json", """
{
  "rabbit_version": "3.12.13",
  "users": [
    {
      "name": "admin",
      "password_hash": "«ph»",
      "hashing_algorithm": "rabbit_password_hashing_sha256",
      "tags": ["administrator"]
    },
    {
      "name": "orders",
      "password": "«pw1»",
      "tags": []
    }
  ],
  "vhosts": [{"name": "/"}, {"name": "orders"}],
  "permissions": [
    {"user": "orders", "vhost": "orders", "configure": "^orders\\\\..*", "write": ".*", "read": ".*"}
  ],
  "parameters": [
    {
      "value": {
        "src-uri": "amqps://shovel:«pw2»@«ip»:5671/%2f",
        "src-queue": "events",
        "dest-uri": "amqp://",
        "dest-queue": "events.mirror"
      },
      "vhost": "orders",
      "component": "shovel",
      "name": "events-from-dc2"
    },
    {
      "value": {"uri": "amqps://federation:«pw3»@«ip2»:5671", "ack-mode": "on-confirm"},
      "vhost": "orders",
      "component": "federation-upstream",
      "name": "dc3"
    }
  ],
  "queues": [
    {"name": "orders.created", "vhost": "orders", "durable": true, "auto_delete": false, "arguments": {"x-queue-type": "quorum"}}
  ]
}
""", locals())


def d_kafka_jaas(g: Gen) -> LabelledDoc:
    sy = "!*-_.+?~^@#%&;:"
    raw = g.pw(syms=sy)
    pw1a, pw1b = P(raw), P(raw)
    pw2, pw3, pw4 = (P(g.pw(syms=sy)) for _ in range(3))
    return mk("kafka/config/kafka_server_jaas.conf", """
// JAAS config for the brokers. Passed via -Djava.security.auth.login.config
KafkaServer {
    org.apache.kafka.common.security.plain.PlainLoginModule required
    username="admin"
    password="«pw1a»"
    user_admin="«pw1b»"
    user_producer="«pw2»"
    user_consumer="«pw3»";
};

KafkaClient {
    org.apache.kafka.common.security.scram.ScramLoginModule required
    username="svc-ingest"
    password="«pw4»";
};
""", locals())


def d_grafana_ini(g: Gen) -> LabelledDoc:
    dom = g.domain()
    ip = I(g.ip())
    raw = g.pw(syms=SAFE_SYMS + "#;")
    if "#" not in raw and ";" not in raw:
        raw = raw + "#"
    pw1 = P(raw)
    pw2 = P(g.pw())
    secret = K(g.s(32, AL))
    email = E(g.email(dom))
    pw3 = P(g.pw())
    email2 = E(g.email(dom, role=True))
    cid = "Iv1." + g.hex(16)
    cs = K(g.hex(40))
    return mk("grafana/grafana.ini", """
##################### Grafana Configuration #####################
[server]
protocol = http
http_port = 3000
domain = grafana.«dom»
root_url = %(protocol)s://%(domain)s/

[database]
type = postgres
host = «ip»:5432
name = grafana
user = grafana
# use \"\"\" when the password contains # or ;
password = \"\"\"«pw1»\"\"\"
ssl_mode = require

[security]
admin_user = admin
admin_password = «pw2»
secret_key = «secret»
;disable_gravatar = false
cookie_secure = true

[smtp]
enabled = true
host = smtp.«dom»:587
user = «email»
password = «pw3»
from_address = «email2»
from_name = Grafana

[auth.github]
enabled = true
client_id = «cid»
client_secret = «cs»
allowed_organizations = «dom»

[auth.anonymous]
enabled = false
""", locals())


def d_prometheus(g: Gen) -> LabelledDoc:
    dom = g.domain()
    ip1, ip3 = I(g.ip()), I(g.ip())
    pw = P(g.pw())
    bearer = K(g.s(48, AL))
    user = g.digits(6)
    glc = K(g.glc())
    return mk("monitoring/prometheus.yml", """
global:
  scrape_interval: 15s
  evaluation_interval: 15s
  external_labels:
    cluster: prod-eu

alerting:
  alertmanagers:
    - static_configs:
        - targets: ["alertmanager:9093"]

rule_files:
  - /etc/prometheus/rules/*.yml

scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["«ip1»:9100", "10.0.0.4:9100", "10.0.0.5:9100", "127.0.0.1:9100"]

  - job_name: blackbox
    metrics_path: /probe
    params:
      module: [http_2xx]
    static_configs:
      - targets: [https://«dom», https://status.«dom»]

  - job_name: federate-dc2
    honor_labels: true
    metrics_path: /federate
    basic_auth:
      username: prometheus
      password: «pw»
    static_configs:
      - targets: ["«ip3»:9090"]

  - job_name: saas-exporter
    scheme: https
    bearer_token: «bearer»
    static_configs:
      - targets: ["metrics.«dom»"]

remote_write:
  - url: https://prometheus-prod-01-eu-west-0.grafana.net/api/prom/push
    basic_auth:
      username: «user»
      password: «glc»
""", locals())


def d_alertmanager(g: Gen) -> LabelledDoc:
    dom = g.domain()
    e1 = E(g.email(dom, role=True))
    pw = P(yq1(g.pw(syms=SAFE_SYMS + "'#")))
    slack = K(g.slack_path())
    e2 = E(g.email(dom))
    pd = K(g.hex(32))
    tg = K(g.telegram())
    chat = "-100" + g.digits(10)
    return mk("monitoring/alertmanager.yml", """
global:
  resolve_timeout: 5m
  smtp_smarthost: smtp.«dom»:587
  smtp_from: «e1»
  smtp_auth_username: «e1»
  smtp_auth_password: '«pw»'
  slack_api_url: https://hooks.slack.com/services/«slack»

route:
  receiver: ops-email
  group_by: [alertname, cluster]
  routes:
    - matchers: [severity="critical"]
      receiver: pagerduty
    - matchers: [team="data"]
      receiver: telegram

receivers:
  - name: ops-email
    email_configs:
      - to: «e2»
        send_resolved: true
  - name: pagerduty
    pagerduty_configs:
      - routing_key: «pd»
  - name: telegram
    telegram_configs:
      - bot_token: «tg»
        chat_id: «chat»
  - name: slack
    slack_configs:
      - channel: "#alerts"
        title: '{{ .CommonLabels.alertname }}'
""", locals())


def d_notebook(g: Gen) -> LabelledDoc:
    pw = P(url(g.pw(syms="!*-_.~@#:/%?&+=")))
    ip = I(g.ip())
    ip_b = I(ip[len("⟦ip_address|"):-1])
    ip2 = I(g.ip())
    openai = K(g.openai())
    e1, e2 = E(g.email()), E(g.email())
    return mk("notebooks/01-churn-exploration.ipynb", """
{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "# Churn exploration\\n",
    "Pulls last-login events from the warehouse and joins them with the CRM export."
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [],
   "source": [
    "import os\\n",
    "import openai\\n",
    "import pandas as pd\\n",
    "from sqlalchemy import create_engine\\n",
    "\\n",
    "engine = create_engine(\\"postgresql://analyst:«pw»@«ip»:5432/warehouse\\")\\n",
    "openai.api_key = \\"«openai»\\"\\n",
    "CRM_TOKEN = os.environ[\\"CRM_TOKEN\\"]"
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
      "Connected to «ip_b» as analyst\\n",
      "rows: 18234\\n"
     ]
    },
    {
     "data": {
      "text/plain": [
       "                      email          last_ip\\n",
       "0  «e1»  «ip2»\\n",
       "1  «e2»       10.2.3.4"
      ]
     },
     "execution_count": 2,
     "metadata": {},
     "output_type": "execute_result"
    }
   ],
   "source": [
    "df = pd.read_sql(\\"select email, last_ip from users order by last_seen desc limit 2\\", engine)\\n",
    "df"
   ]
  }
 ],
 "metadata": {
  "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
  "language_info": {"name": "python", "version": "3.11.7"}
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
""", locals())


def d_sql_dump(g: Gen) -> LabelledDoc:
    rows = []
    for i in range(1, 6):
        email = E(g.email())
        ipv = I(g.ip()) if i % 3 else g.pick(["10.0.4.21", "192.168.1.17", "127.0.0.1"])
        rows.append(f"({i},'{email}','{g.bcrypt()}','2023-0{g.r.randint(1, 9)}-1{g.r.randint(0, 9)} "
                    f"0{g.r.randint(0, 9)}:{g.r.randint(10, 59)}:{g.r.randint(10, 59)}','{ipv}')")
    users = ",\n".join(rows)
    sk = K(g.stripe())
    pw = P(g.pw(syms="!*-_.+?~^@#$%&"))
    return mk("db/dumps/shop_2024-03-01.sql", """
-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: 127.0.0.1    Database: shop
-- ------------------------------------------------------
-- Server version	8.0.36-0ubuntu0.22.04.1

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;

DROP TABLE IF EXISTS `users`;
CREATE TABLE `users` (
  `id` int NOT NULL AUTO_INCREMENT,
  `email` varchar(255) NOT NULL,
  `password_hash` varchar(255) NOT NULL,
  `created_at` datetime NOT NULL,
  `last_login_ip` varchar(45) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_users_email` (`email`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `users` WRITE;
INSERT INTO `users` (`id`, `email`, `password_hash`, `created_at`, `last_login_ip`) VALUES
«users»;
UNLOCK TABLES;

DROP TABLE IF EXISTS `api_credentials`;
CREATE TABLE `api_credentials` (`id` int, `provider` varchar(32), `secret` text, `rotated_at` datetime);
INSERT INTO `api_credentials` VALUES (1,'stripe','«sk»',NULL);

CREATE USER IF NOT EXISTS 'shop'@'%' IDENTIFIED BY '«pw»';
GRANT SELECT, INSERT, UPDATE, DELETE ON shop.* TO 'shop'@'%';
GRANT SELECT ON shop.* TO 'report'@'10.0.%';
-- Dump completed on 2024-03-01  3:00:02
""", locals())


def d_users_csv(g: Gen) -> LabelledDoc:
    lines = ["id,email,full_name,role,password_hash,temp_password,signup_ip,created_at"]
    for i in range(1, 7):
        name = g.full_name()
        email = E(g.email())
        role = g.pick(["admin", "editor", "viewer", "viewer"])
        tmp = P(g.pw(syms="!*-_.+?~^@#")) if i % 3 == 1 else ""
        sip = I(g.ip()) if i % 4 else g.pick(["10.1.2.3", "192.168.0.23", "::1"])
        lines.append(f"{i},{email},{name},{role},{g.argon2()},{tmp},{sip},"
                     f"2024-0{g.r.randint(1, 9)}-{g.r.randint(10, 28)}")
    body = "\n".join(lines)
    return mk("tests/fixtures/users.csv", "«body»\n", locals())


def d_access_log(g: Gen) -> LabelledDoc:
    ua = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1",
          "curl/8.5.0", "python-requests/2.31.0", "Go-http-client/1.1",
          "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"]
    reqs = ["GET / HTTP/1.1\" 200 5123", "GET /static/app.3f9a1c.js HTTP/2.0\" 200 88412",
            "POST /api/login HTTP/1.1\" 401 61", "GET /wp-login.php HTTP/1.1\" 404 153",
            "GET /.env HTTP/1.1\" 404 153", "GET /api/v1/orders?page=2 HTTP/2.0\" 200 2231"]
    out = []
    t = g.r.randint(600, 650)
    for i in range(11):
        t += g.r.randint(1, 9)
        stamp = f"[12/Mar/2024:10:{t // 60:02d}:{t % 60:02d} +0000]"
        if i in (2, 5, 9):
            client = g.pick(["10.0.0.12", "127.0.0.1", "172.17.0.1"])
            out.append(f'{client} - - {stamp} "GET /health HTTP/1.1" 200 2 "-" "kube-probe/1.29"')
        elif i == 6:
            key = K(g.s(32, AL))
            out.append(f'{I(g.ip())} - - {stamp} "GET /api/v1/export?format=csv&api_key={key} HTTP/1.1" '
                       f'200 48213 "-" "python-requests/2.31.0"')
        else:
            client = I(g.ip6() if i == 4 else g.ip())
            out.append(f'{client} - - {stamp} "{g.pick(reqs)} "-" "{g.pick(ua)}"')
    body = "\n".join(out)
    return mk("logs/nginx/access.log", "«body»\n", locals())


def d_auth_log(g: Gen) -> LabelledDoc:
    ip1, ip2, ip3, ip4 = I(g.ip()), I(g.ip()), I(g.ip()), I(g.ip6())
    fp = b64(g.bytes(32)).rstrip("=")
    p1, p2, p3 = (g.r.randint(30000, 65000) for _ in range(3))
    ip1b = I(ip1[len("⟦ip_address|"):-1])
    ip3b = I(ip3[len("⟦ip_address|"):-1])
    return mk("logs/auth.log", """
Mar 12 03:14:07 web-01 sshd[21344]: Failed password for root from «ip1» port «p1» ssh2
Mar 12 03:14:09 web-01 sshd[21344]: Failed password for invalid user admin from «ip1b» port «p1» ssh2
Mar 12 03:14:10 web-01 sshd[21344]: Connection closed by invalid user admin 10.0.0.7 port «p1» [preauth]
Mar 12 04:55:31 web-01 sshd[21502]: Invalid user oracle from «ip3» port «p2»
Mar 12 04:55:33 web-01 sshd[21502]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=«ip3b»
Mar 12 08:02:11 web-01 sshd[22001]: Accepted publickey for deploy from «ip2» port «p3» ssh2: ED25519 SHA256:«fp»
Mar 12 08:02:11 web-01 sshd[22001]: pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)
Mar 12 08:02:11 web-01 systemd-logind[812]: New session 412 of user deploy.
Mar 12 08:05:40 web-01 sudo:   deploy : TTY=pts/0 ; PWD=/srv/app ; USER=root ; COMMAND=/usr/bin/systemctl restart app
Mar 12 09:40:13 web-01 sshd[23010]: Connection closed by 192.168.1.44 port 52210 [preauth]
Mar 12 10:12:54 web-01 sshd[23388]: Failed password for invalid user test from «ip4» port 40112 ssh2
Mar 12 10:13:02 web-01 fail2ban.actions[733]: NOTICE [sshd] Ban «ip3b»
Mar 12 11:00:01 web-01 CRON[23901]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)
Mar 12 11:00:01 web-01 sshd[23950]: Received disconnect from 127.0.0.1 port 40022:11: disconnected by user
""", locals())


def d_bash_history(g: Gen) -> LabelledDoc:
    pw1 = P(g.pw(syms=SHELL_SQ_SYMS))
    ghp = K(g.ghp())
    org = g.word()
    openai = K(g.openai())
    ip1, ip2 = I(g.ip()), I(g.ip())
    pw2 = P(g.pw(syms="!*-_.+?~^@#%"))
    email = E(g.email())
    user = g.handle()
    dom = g.domain()
    pw3 = P(g.pw(syms="*-_.+?~^@#%"))
    return mk("home/deploy/.bash_history", """
cd /srv/app
git pull
mysql -u root -p'«pw1»' -e 'show databases;'
export GITHUB_TOKEN=«ghp»
gh repo clone «org»/infra
curl -H "Authorization: Bearer «openai»" https://api.openai.com/v1/models | jq '.data[].id'
ssh root@«ip1»
scp dump.sql.gz backup@«ip2»:/backups/
htpasswd -b -c /etc/nginx/.htpasswd admin «pw2»
read -s DB_PASS
psql "postgresql://app:$DB_PASS@localhost/app" -c '\\dt'
git config --global user.email «email»
docker login -u «user» -p «pw3» registry.«dom»
sudo systemctl restart nginx
ping -c 3 1.1.1.1
dig @8.8.8.8 «dom»
ip addr show eth0
history | grep pass
""", locals())


def d_makefile(g: Gen) -> LabelledDoc:
    ip = I(g.ip())
    dom = g.domain()
    pw_url = P(url(g.pw()))
    pw2 = P(g.pw(syms="!*-_.+?~^@%"))
    pw3 = P(g.pw())
    return mk("Makefile", """
DEPLOY_HOST ?= «ip»
REGISTRY    := registry.«dom»
TAG         := $(shell git rev-parse --short HEAD)
IMAGE       := $(REGISTRY)/api:$(TAG)
DB_URL      := postgres://app:«pw_url»@localhost:5432/app?sslmode=disable

.PHONY: build push migrate deploy lint test

build:
\tdocker build -t $(IMAGE) .

push: build
\tdocker login -u ci -p «pw2» $(REGISTRY)
\tdocker push $(IMAGE)

migrate:
\tmigrate -path db/migrations -database "$(DB_URL)" up
\tPGPASSWORD=«pw3» psql -h localhost -U app -f db/seed.sql

deploy: push
\tssh deploy@$(DEPLOY_HOST) 'docker pull $(IMAGE) && docker compose up -d'

lint:
\truff check .
\tmypy src

test:
\tpytest -q
""", locals())


def d_systemd(g: Gen) -> LabelledDoc:
    pw = P(g.pw(syms="!*-_.+?~^@#"))
    rk = K(g.stripe("rk_live_"))
    sentry = K(g.sentry_key())
    n, p = g.digits(6), g.digits(7)
    return mk("deploy/systemd/orders-api.service", """
[Unit]
Description=Orders API
Documentation=https://wiki.internal/orders
After=network-online.target postgresql.service
Wants=network-online.target

[Service]
Type=simple
User=orders
Group=orders
WorkingDirectory=/opt/orders
EnvironmentFile=-/etc/orders/env
Environment="DB_PASSWORD=«pw»"
Environment=STRIPE_API_KEY=«rk»
Environment="SENTRY_DSN=https://«sentry»@o«n».ingest.sentry.io/«p»"
Environment=BIND_ADDR=0.0.0.0:8080
ExecStart=/opt/orders/bin/orders --config /etc/orders/config.toml
Restart=on-failure
RestartSec=5
NoNewPrivileges=true
ProtectSystem=strict
ReadWritePaths=/var/lib/orders

[Install]
WantedBy=multi-user.target
""", locals())


def d_crontab(g: Gen) -> LabelledDoc:
    email = E(g.email(role=True))
    uuid = g.uuid()
    pw = P(g.pw(syms="!*-_.+?~^@"))
    ip = I(g.ip())
    pw2 = P(g.pw(syms=SHELL_SQ_SYMS.replace("%", "")))
    return mk("etc/cron.d/backups", """
SHELL=/bin/bash
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
MAILTO=«email»

# m h dom mon dow user  command
*/5 * * * *   root  curl -fsS -m 10 --retry 5 -o /dev/null https://hc-ping.com/«uuid»
15 2 * * *    root  mysqldump -u backup -p«pw» --single-transaction shop | gzip > /backups/shop-$(date +\\%F).sql.gz
30 2 * * *    root  rsync -az --delete /backups/ backup@«ip»:/srv/backups/web-01/
0 4 * * 0     root  /usr/bin/certbot renew --quiet --deploy-hook "systemctl reload nginx"
0 * * * *     stats PGPASSWORD='«pw2»' /usr/bin/psql -h 10.0.3.5 -U stats -c 'REFRESH MATERIALIZED VIEW daily_totals'
""", locals())


def d_wireguard(g: Gen) -> LabelledDoc:
    priv = K(g.wg())
    pub1, pub2 = g.wg(), g.wg()
    psk = K(g.wg())
    name = g.first()
    ip = I(g.ip())
    return mk("wireguard/wg0.conf", """
[Interface]
# office gateway
Address = 10.66.0.1/24, fd86:ea04:1111::1/64
ListenPort = 51820
PrivateKey = «priv»
PostUp = iptables -A FORWARD -i %i -j ACCEPT; iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
PostDown = iptables -D FORWARD -i %i -j ACCEPT; iptables -t nat -D POSTROUTING -o eth0 -j MASQUERADE
DNS = 1.1.1.1, 9.9.9.9

[Peer]
# laptop - «name»
PublicKey = «pub1»
PresharedKey = «psk»
AllowedIPs = 10.66.0.2/32

[Peer]
# branch office
PublicKey = «pub2»
Endpoint = «ip»:51820
AllowedIPs = 10.66.0.0/24, 192.168.50.0/24
PersistentKeepalive = 25
""", locals())


def d_openvpn(g: Gen) -> LabelledDoc:
    ip1, ip2 = I(g.ip()), I(g.ip())
    ca, cert = g.cert(8), g.cert(8)
    key = K(g.pem("PKCS8", lines=12))
    static = K(g.openvpn_static())
    return mk("vpn/office-client.ovpn", """
client
dev tun
proto udp
remote «ip1» 1194
remote «ip2» 1194
remote-random
resolv-retry infinite
nobind
persist-key
persist-tun
remote-cert-tls server
cipher AES-256-GCM
auth SHA256
key-direction 1
auth-user-pass
verb 3
<ca>
«ca»
</ca>
<cert>
«cert»
</cert>
<key>
«key»
</key>
<tls-auth>
#
# 2048 bit OpenVPN static key
#
«static»
</tls-auth>
""", locals())


def d_wpa(g: Gen) -> LabelledDoc:
    ssid1 = g.word().capitalize() + "-" + g.pick(["5G", "Home", "Office"])
    pw1 = P(yq2(g.pw(syms=SAFE_SYMS + "#$&", space=True)))
    email = E(g.email())
    pw2 = P(yq2(g.pw()))
    return mk("etc/wpa_supplicant/wpa_supplicant.conf", """
ctrl_interface=DIR=/var/run/wpa_supplicant GROUP=netdev
update_config=1
country=DE

network={
    ssid="«ssid1»"
    psk="«pw1»"
    key_mgmt=WPA-PSK
    priority=10
}

network={
    ssid="eduroam"
    key_mgmt=WPA-EAP
    eap=PEAP
    identity="«email»"
    password="«pw2»"
    phase2="auth=MSCHAPV2"
    ca_cert="/etc/ssl/certs/ca-certificates.crt"
    priority=5
}

network={
    ssid="Guest"
    key_mgmt=NONE
    priority=1
}
""", locals())


def d_cisco(g: Gen) -> LabelledDoc:
    host = g.word().upper() + "-RTR01"
    h9 = "$9$" + g.s(14, CRYPT) + "$" + g.s(43, CRYPT)
    h8 = "$8$" + g.s(14, CRYPT) + "$" + g.s(43, CRYPT)
    pw1 = P(g.pw(syms="!*-_.+?~^@#$%"))
    tac_ip = I(g.ip())
    pw2 = P(g.pw(syms="!*-_.+?~^@#$%"))
    a, b, c = g.pick(_PUB_FIRST), g.r.randint(0, 255), g.r.randint(0, 255)
    d = g.r.randint(1, 30) * 8
    wan_ip, gw_ip = I(f"{a}.{b}.{c}.{d + 2}"), I(f"{a}.{b}.{c}.{d + 1}")
    ntp_ip = I(g.ip())
    community = P(g.pw(syms="!*-_.+?~^@#$%", style=g.pick(["random", "words", "mixed"])))
    return mk(f"network/configs/{host.lower()}.cfg", """
!
version 15.7
service timestamps debug datetime msec
service timestamps log datetime msec
service password-encryption
!
hostname «host»
!
enable secret 9 «h9»
!
username admin privilege 15 secret 8 «h8»
username backup privilege 5 password 0 «pw1»
!
aaa new-model
aaa authentication login default group tacacs+ local
tacacs server TAC1
 address ipv4 «tac_ip»
 key 0 «pw2»
!
interface GigabitEthernet0/0
 description WAN uplink
 ip address «wan_ip» 255.255.255.248
 ip nat outside
!
interface GigabitEthernet0/1
 description LAN
 ip address 192.168.10.1 255.255.255.0
 ip nat inside
!
ip route 0.0.0.0 0.0.0.0 «gw_ip»
ip name-server 8.8.8.8 208.67.222.222
ntp server «ntp_ip»
snmp-server community «community» RO 10
access-list 10 permit 192.168.10.0 0.0.0.255
!
line vty 0 4
 transport input ssh
 login local
!
end
""", locals())


def d_ldif(g: Gen) -> LabelledDoc:
    dc = g.word()
    u1, u2, u3 = g.handle(), g.handle(), g.handle()
    n1, n2, n3 = g.full_name(), g.full_name(), g.full_name()
    s1, s2, s3 = n1.split()[-1], n2.split()[-1], n3.split()[-1]
    e1, e2, e3 = E(g.email(f"{dc}.com")), E(g.email(f"{dc}.com")), E(g.email(f"{dc}.com"))
    ssha = g.ssha()
    pw = P(g.pw())
    ssha_b64 = b64(g.ssha())
    pw_admin = P(g.pw())
    return mk("ldap/bootstrap/users.ldif", """
dn: ou=people,dc=«dc»,dc=com
objectClass: organizationalUnit
ou: people

dn: uid=«u1»,ou=people,dc=«dc»,dc=com
objectClass: inetOrgPerson
objectClass: posixAccount
uid: «u1»
cn: «n1»
sn: «s1»
mail: «e1»
uidNumber: 10001
gidNumber: 10001
homeDirectory: /home/«u1»
userPassword: «ssha»

dn: uid=«u2»,ou=people,dc=«dc»,dc=com
objectClass: inetOrgPerson
uid: «u2»
cn: «n2»
sn: «s2»
mail: «e2»
userPassword: «pw»

dn: uid=«u3»,ou=people,dc=«dc»,dc=com
objectClass: inetOrgPerson
uid: «u3»
cn: «n3»
sn: «s3»
mail: «e3»
userPassword:: «ssha_b64»

dn: cn=readonly,dc=«dc»,dc=com
objectClass: simpleSecurityObject
objectClass: organizationalRole
cn: readonly
description: LDAP read-only bind user
userPassword: «pw_admin»
""", locals())


def d_readme(g: Gen) -> LabelledDoc:
    proj = g.word() + g.pick(["board", "dash", "flow", "stack"])
    org = g.word()
    raw = g.pw(syms="!*-_.+?~^@")
    pw1, pw1b = P(raw), P(raw)
    ip = I(g.ip())
    demo_pw = P(g.pw(style=g.pick(["short", "word", "season"])))
    pg_pw = P(g.pw())
    dom = g.domain()
    e1, e2 = E(g.email(dom, role=True)), E(g.email(dom, role=True))
    return mk("README.md", """
# «proj»

Self-hosted dashboards for small ops teams. Single binary, SQLite or Postgres.

![build](https://github.com/«org»/«proj»/actions/workflows/ci.yml/badge.svg)

## Quick start

```bash
docker run -d --name «proj» -p 8080:8080 \\
  -e ADMIN_PASSWORD=«pw1» \\
  ghcr.io/«org»/«proj»:latest
```

Then open http://localhost:8080 and log in as `admin` / `«pw1b»`. Change it right away
under *Settings → Account*.

### With Postgres

```bash
docker run -d -e POSTGRES_PASSWORD=«pg_pw» -p 5432:5432 postgres:16
export DATABASE_URL="postgres://postgres:${POSTGRES_PASSWORD}@127.0.0.1:5432/postgres"
```

## Configuration

| Variable         | Default     | Description                                   |
|------------------|-------------|-----------------------------------------------|
| `ADMIN_PASSWORD` | *(random)*  | Initial admin password, printed on first boot |
| `API_KEY`        | —           | Your API key (`<your-api-key>`)                |
| `DB_PASSWORD`    | `changeme`  | Only used with `DB_DRIVER=postgres`           |
| `BIND`           | `0.0.0.0`   | Listen address                                |

## Demo

A public demo runs at http://«ip»:8080 (user `demo`, password `«demo_pw»`). It is reset
every night at 03:00 UTC.

## Support

Questions go to «e1». Please report security issues privately to «e2» instead of opening
an issue.
""", locals())


def d_maintainers(g: Gen) -> LabelledDoc:
    rows = []
    for _ in range(4):
        name, handle = g.full_name(), g.handle()
        email = E(g.email())
        fp = " ".join(g.hex(4).upper() for _ in range(10))
        rows.append(f"| {name} | [@{handle}](https://github.com/{handle}) | {email} | `{fp}` |")
    table = "\n".join(rows)
    return mk("MAINTAINERS.md", """
# Maintainers

This file lists the people with commit and release rights. Reach all of them through the
`@maintainers` team on GitHub; use email only for private matters.

| Name | GitHub | Email | GPG fingerprint |
|------|--------|-------|-----------------|
«table»

## Emeritus

- Thanks to everyone who helped with the 1.x series (see `git shortlog -sne v1.0.0..v1.9.4`).

## Becoming a maintainer

Open a PR adding yourself to the table above after at least six months of regular reviews.
Releases are signed; import the keys with `gpg --recv-keys <fingerprint>`.
""", locals())


def d_authors(g: Gen) -> LabelledDoc:
    proj = g.word()
    people = []
    for i in range(5):
        name = g.full_name()
        if i == 2:
            email = E(f"{g.digits(8)}+{g.handle()}@users.noreply.github.com")
        elif i == 4:
            email = E(g.email(g.pick(IDN_DOMAINS)))
        else:
            email = E(g.email())
        people.append(f"{name} <{email}>")
    lst = "\n".join(people)
    return mk("AUTHORS", """
# This is the official list of «proj» authors for copyright purposes.
# Names should be added to this file as one of
#     Organization's name
#     Individual's name <submission email address>
# Please keep the list sorted.

«lst»
Northwind Traders GmbH
""", locals())


def d_changelog(g: Gen) -> LabelledDoc:
    sha1, sha2 = g.hex(40), g.hex(7)
    h = g.handle()
    digest = g.hex(64)
    return mk("CHANGELOG.md", """
# Changelog

All notable changes to this project will be documented in this file.
The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/).

## [2.4.1] - 2024-03-02
### Fixed
- Redact `password`, `secret` and `token` fields from debug logs (#812, thanks @«h»).
- `reset_password_url` was built with the wrong scheme behind a proxy.
- Bumped `lodash@4.17.21` and `@babel/core@7.24.0`.
- Upgraded `golang.org/x/crypto` to v0.21.0 (commit «sha1»).

### Security
- The key `AKIAIOSFODNN7EXAMPLE` in the docs was always a placeholder; no rotation needed.
- Default bind address changed from `0.0.0.0` to `127.0.0.1`.

## [2.4.0.1] - 2024-02-11
### Changed
- Images are now pinned by digest: `ghcr.io/acme/app@sha256:«digest»`.
- Support IPv6 link-local peers (`fe80::1%eth0`) and CGNAT ranges (`100.64.0.0/10`).
- Reverted «sha2» ("use 255.255.255.0 as default netmask").

## [2.4.0] - 2024-01-28
### Added
- `--dns 9.9.9.9` flag; default resolvers remain 1.1.1.1 and 8.8.8.8.
- SNMP OID `1.3.6.1.4.1.2021.10.1.3.1` exposed as `load1`.
- Password strength meter on the *Change password* dialog.

[2.4.1]: https://github.com/acme/app/compare/v2.4.0.1...v2.4.1
""", locals())


def d_issue_template(g: Gen) -> LabelledDoc:
    return mk(".github/ISSUE_TEMPLATE/bug_report.md", """
---
name: Bug report
about: Create a report to help us improve
title: "[BUG] "
labels: bug, triage
assignees: ''
---

**Describe the bug**
A clear and concise description of what the bug is.

**To Reproduce**
1. Go to '...'
2. Click on '....'
3. See error

**Environment**
- OS: [e.g. Ubuntu 22.04]
- Version: [e.g. 1.4.2]
- Install method: [docker / binary / helm]

**Configuration**
<!-- Please remove secrets before pasting! Replace passwords with `****`
     and tokens with `<redacted>`. Never paste your .env file. -->
```yaml
database:
  host: 127.0.0.1
  user: app
  password: "****"
api_token: <redacted>
smtp:
  password: ${SMTP_PASSWORD}
```

**Logs**
<!-- `docker logs app 2>&1 | tail -n 100` -->

**Additional context**
Add any other context about the problem here.
""", locals())


def d_wiki_deploy(g: Gen) -> LabelledDoc:
    ip1, ip2, ip3 = I(g.ip()), I(g.ip()), I(g.ip())
    hvs = K(g.hvs())
    ant = K(g.anthropic())
    pw = P(g.pw())
    email = E(g.email())
    return mk("docs/wiki/Deploying-to-production.md", """
# Deploying to production

> Last reviewed: 2024-02. Ask in #ops if anything here is out of date.

1. SSH to the bastion: `ssh ops@«ip1»` (your key must be in `ops/authorized_keys`).
2. Unseal Vault if it restarted: `vault operator unseal` (3 of 5 key holders, see 1Password).
3. Log in to Vault:

   ```bash
   export VAULT_ADDR=https://vault.internal:8200
   export VAULT_TOKEN=«hvs»
   ```

4. The release notes generator needs an LLM key:

   ```bash
   export ANTHROPIC_API_KEY=«ant»
   ./scripts/release-notes.sh v$(cat VERSION)
   ```

5. Run the deploy: `./deploy.sh --host «ip2» --tag $(git describe --tags)`.
6. Watch the dashboards for 15 minutes.

## Staging database

`psql -h «ip3» -U staging staging` with password `«pw»` (read-only role).

## Rollback

`./deploy.sh --host $PROD_HOST --tag <previous-tag>`; migrations are backwards compatible for one
release. For anything else contact «email».
""", locals())


def d_email_html(g: Gen) -> LabelledDoc:
    dom = g.domain()
    e1, e2 = E(g.email(dom, role=True)), E(g.email(dom, role=True))
    e1b, e2b = E(e1[len("⟦email|"):-1]), E(e2[len("⟦email|"):-1])
    brand = g.word().capitalize()
    return mk("templates/email/welcome.html", """
<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Welcome to {{ company_name }}</title>
</head>
<body style="font-family: Helvetica, Arial, sans-serif; background:#f6f7f9; margin:0; padding:24px;">
  <table role="presentation" width="100%" cellpadding="0" cellspacing="0">
    <tr>
      <td align="center">
        <img src="https://cdn.«dom»/img/logo@2x.png" width="120" alt="«brand»">
        <h1 style="font-size:22px;">Welcome aboard, {{ user.first_name }}!</h1>
        <p>Your account <strong>{{ user.email }}</strong> is ready. Set your password here:</p>
        <p><a href="{{ reset_password_url }}" style="background:#2f6fed;color:#fff;padding:10px 18px;border-radius:4px;">Choose a password</a></p>
        <p>Questions? Just reply to this email or write to
           <a href="mailto:«e1»">«e1b»</a>.</p>
        <p>Invoices and receipts come from
           <a href="mailto:«e2»?subject=Invoice%20question">«e2b»</a>.</p>
        <p style="font-size:11px;color:#888;">
          You received this because you signed up at «dom».
          <a href="{{ unsubscribe_url }}">Unsubscribe</a>
        </p>
        <img src="https://t.«dom»/o.gif?u={{ user.id }}" width="1" height="1" alt="">
      </td>
    </tr>
  </table>
</body>
</html>
""", locals())


def d_web_config(g: Gen) -> LabelledDoc:
    srv = g.word() + "-sql"
    pw1 = P(g.pw(syms=XML_SYMS.replace(";", "")))
    ip = I(g.ip())
    pw2 = P(g.pw(syms="!*-_.+?~^@#$%"))
    acct = g.word() + "store"
    az = K(g.azure_key())
    sg = K(g.sendgrid())
    cid, tid = g.uuid(), g.uuid()
    acs = K(g.azure_client_secret())
    vk, dk = K(g.hex(128).upper()), K(g.hex(48).upper())
    return mk("src/Web/web.config", r"""
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <connectionStrings>
    <add name="DefaultConnection" connectionString="Server=tcp:«srv».database.windows.net,1433;Initial Catalog=app;Persist Security Info=False;User ID=appadmin;Password=«pw1»;MultipleActiveResultSets=False;Encrypt=True;" providerName="System.Data.SqlClient" />
    <add name="Reporting" connectionString="Data Source=«ip»;Initial Catalog=reports;User Id=report;Password=«pw2»;" providerName="System.Data.SqlClient" />
    <add name="Local" connectionString="Server=(localdb)\mssqllocaldb;Database=app;Trusted_Connection=True;" />
    <add name="Storage" connectionString="DefaultEndpointsProtocol=https;AccountName=«acct»;AccountKey=«az»;EndpointSuffix=core.windows.net" />
  </connectionStrings>
  <appSettings>
    <add key="webpages:Version" value="3.0.0.0" />
    <add key="ClientValidationEnabled" value="true" />
    <add key="SendGridApiKey" value="«sg»" />
    <add key="ida:ClientId" value="«cid»" />
    <add key="ida:TenantId" value="«tid»" />
    <add key="ida:ClientSecret" value="«acs»" />
  </appSettings>
  <system.web>
    <compilation debug="false" targetFramework="4.8" />
    <httpRuntime targetFramework="4.8" />
    <machineKey validationKey="«vk»" decryptionKey="«dk»" validation="HMACSHA256" decryption="AES" />
    <customErrors mode="RemoteOnly" />
  </system.web>
</configuration>
""", locals())


def d_tomcat_users(g: Gen) -> LabelledDoc:
    pw1, pw2, pw3 = (P(g.pw(syms=XML_SYMS)) for _ in range(3))
    digest = g.hex(64) + "$1$" + g.hex(64)
    return mk("tomcat/conf/tomcat-users.xml", """
<?xml version="1.0" encoding="UTF-8"?>
<tomcat-users xmlns="http://tomcat.apache.org/xml"
              xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
              xsi:schemaLocation="http://tomcat.apache.org/xml tomcat-users.xsd"
              version="1.0">
  <!--
    NOTE: By default, no user is included in the "manager-gui" role required
    to operate the "/manager/html" web application.
  -->
  <role rolename="manager-gui"/>
  <role rolename="manager-script"/>
  <role rolename="manager-status"/>
  <role rolename="manager-jmx"/>
  <role rolename="admin-gui"/>
  <user username="admin" password="«pw1»" roles="manager-gui,admin-gui"/>
  <user username="deployer" password="«pw2»" roles="manager-script"/>
  <!-- hashed with: digest.sh -a SHA-256 -h org.apache.catalina.realm.MessageDigestCredentialHandler -->
  <user username="monitor" password="«digest»" roles="manager-status"/>
  <!-- <user username="tomcat" password="<must-be-changed>" roles="tomcat"/> -->
  <user username="jmx" password="«pw3»" roles="manager-jmx"/>
</tomcat-users>
""", locals())


def d_tomcat_context(g: Gen) -> LabelledDoc:
    pw = P(g.pw(syms=XML_SYMS))
    ip = I(g.ip())
    dom = g.domain()
    email = E(g.email(dom))
    pw2 = P(g.pw(syms=XML_SYMS))
    return mk("tomcat/conf/Catalina/localhost/app.xml", r"""
<?xml version="1.0" encoding="UTF-8"?>
<Context reloadable="false" crossContext="false">
  <WatchedResource>WEB-INF/web.xml</WatchedResource>
  <WatchedResource>${catalina.base}/conf/web.xml</WatchedResource>

  <Resource name="jdbc/AppDB" auth="Container" type="javax.sql.DataSource"
            maxTotal="50" maxIdle="10" maxWaitMillis="10000"
            username="app" password="«pw»"
            driverClassName="org.postgresql.Driver"
            url="jdbc:postgresql://«ip»:5432/app?sslmode=require"/>

  <Resource name="mail/Session" auth="Container" type="javax.mail.Session"
            mail.smtp.host="smtp.«dom»" mail.smtp.port="587"
            mail.smtp.user="«email»" password="«pw2»"
            mail.smtp.auth="true" mail.smtp.starttls.enable="true"/>

  <Valve className="org.apache.catalina.valves.RemoteAddrValve"
         allow="127\.\d+\.\d+\.\d+|::1|0:0:0:0:0:0:0:1|10\.\d+\.\d+\.\d+"/>

  <Manager pathname="" />
</Context>
""", locals())


def d_settings_ini(g: Gen) -> LabelledDoc:
    svc = g.word() + "d"
    ip = I(g.ip())
    pw1, pw2, pw3 = P(g.pw()), P(g.pw()), P(g.pw(syms="!*-_.+?~^@"))
    key1 = K(g.s(40, AL))
    key2 = K(g.hex(64))
    whsec = K(g.whsec())
    sha = g.hex(64)
    return mk(f"etc/{svc}/{svc}.ini", """
; Legacy daemon config - parsed by our own reader, so mind the separators
[general]
name: «svc»
log_level: info
listen 0.0.0.0:7000
pid_file /run/«svc».pid

[database]
host = «ip»
port = 5432
user = svc
password: «pw1»
pool_size 8

[cache]
backend redis
redis_host 127.0.0.1
redis_password «pw2»

[api]
token = "«key1»"
secret_key «key2»
PASS=«pw3» # rotated 2024-02
webhook_secret:«whsec»
hash_algo = sha256
release_checksum = «sha»

[ui]
password_label = Password
password_placeholder = Enter your password
forgot_password_text = Forgot your password?
""", locals())


def d_config_toml(g: Gen) -> LabelledDoc:
    ip = I(g.ip())
    pw_url = P(url(g.pw(syms=URL_SYMS)))
    pw2 = P(yq2(g.rich_pw()))
    jwt_secret = K(b64(g.bytes(48)))
    session = K(g.hex(64))
    pem = K(g.pem("RSA", lines=g.r.randint(10, 14)))
    app_id = g.r.randint(100000, 999999)
    wh = K(g.hex(40))
    email = E(g.email())
    commit = g.hex(40)
    return mk("config/production.toml", """
title = "ingest service"

[server]
bind = "0.0.0.0:8443"
public_ip = "«ip»"
workers = 8

[database]
url = "postgres://svc:«pw_url»@db.internal:5432/svc"
# separate admin connection for migrations
admin_user = "migrator"
admin_password = "«pw2»"

[auth]
jwt_secret = "«jwt_secret»"
session_key = "«session»"
token_ttl = "12h"

[integrations.github]
app_id = «app_id»
webhook_secret = "«wh»"
private_key = \"\"\"
«pem»
\"\"\"

[notifications]
admin = "«email»"

[build]
commit = "«commit»"
""", locals())


def d_gradle_props(g: Gen) -> LabelledDoc:
    org = g.word()
    key_id = g.hex(8).upper()
    pw1, pw2 = P(g.pw()), P(g.pw())
    raw = g.pw(syms="!*-_.+?~^@")
    pw4a, pw4b = P(raw), P(raw)
    user = g.handle()
    maps = K(g.aiza())
    ip = I(g.ip())
    pw5 = P(g.pw())
    return mk("gradle.properties", """
# Project-wide Gradle settings.
org.gradle.jvmargs=-Xmx4g -Dfile.encoding=UTF-8
org.gradle.parallel=true
org.gradle.caching=true
android.useAndroidX=true
android.nonTransitiveRClass=true
kotlin.code.style=official

GROUP=io.«org»
VERSION_NAME=3.7.1
POM_URL=https://github.com/«org»/sdk

# Maven Central publishing
signing.keyId=«key_id»
signing.password=«pw1»
signing.secretKeyRingFile=/home/ci/.gnupg/secring.gpg
ossrhUsername=«user»
ossrhPassword=«pw2»
mavenCentralUsername=«user»

# Play upload key
RELEASE_STORE_FILE=../keystores/upload.jks
RELEASE_STORE_PASSWORD=«pw4a»
RELEASE_KEY_ALIAS=upload
RELEASE_KEY_PASSWORD=«pw4b»

MAPS_API_KEY=«maps»

systemProp.http.proxyHost=«ip»
systemProp.http.proxyPort=3128
systemProp.http.proxyUser=build
systemProp.http.proxyPassword=«pw5»
systemProp.http.nonProxyHosts=localhost|127.0.0.1
""", locals())


def d_default_json(g: Gen) -> LabelledDoc:
    app = g.word()
    ip = I(g.ip())
    pw1 = P(jesc(g.rich_pw()))
    dom = g.domain()
    e1 = E(g.email(dom, role=True))
    pw2 = P(jesc(g.pw(syms=RICH_SYMS)))
    brand = g.word().capitalize()
    e2 = E(g.email(dom, role=True))
    sid = "AC" + g.hex(32)
    twilio = K(g.hex(32))
    mc = K(g.mailchimp())
    list_id = g.hex(10)
    tg = K(g.telegram())
    chat = g.digits(10)
    e3, e4 = E(g.email()), E(g.email())
    pw3, pw4 = P(jesc(g.pw())), P(jesc(g.pw(syms=RICH_SYMS)))
    phone = "+1415" + g.digits(7)
    return mk("config/default.json", """
{
  "app": {
    "name": "«app»",
    "port": 3000,
    "trustProxy": ["loopback", "10.0.0.0/8"]
  },
  "db": {
    "host": "«ip»",
    "port": 5432,
    "user": "api",
    "password": "«pw1»",
    "ssl": { "rejectUnauthorized": false }
  },
  "mailer": {
    "transport": "smtp",
    "host": "smtp.«dom»",
    "auth": { "user": "«e1»", "pass": "«pw2»" },
    "from": "\\"«brand»\\" <«e2»>"
  },
  "integrations": {
    "twilio": { "accountSid": "«sid»", "authToken": "«twilio»", "from": "«phone»" },
    "mailchimp": { "apiKey": "«mc»", "listId": "«list_id»" },
    "telegram": { "botToken": "«tg»", "chatId": -100«chat» }
  },
  "seedUsers": [
    { "email": "«e3»", "password": "«pw3»", "role": "admin" },
    { "email": "«e4»", "password": "«pw4»", "role": "editor" }
  ],
  "features": { "signup": true, "passwordReset": true }
}
""", locals())


def d_service_account(g: Gen) -> LabelledDoc:
    proj = g.word() + "-" + g.word() + "-" + g.digits(6)
    kid = g.hex(40)
    pem = K(g.pem("PKCS8", lines=g.r.randint(14, 26), sep="\\n"))
    sa = E(g.pick(["firebase-adminsdk-" + g.s(5, LOWER_AL), "ci-deployer", "terraform", "bq-loader"]) +
           f"@{proj}.iam.gserviceaccount.com")
    cid = g.digits(21)
    return mk("secrets/gcp-service-account.json", """
{
  "type": "service_account",
  "project_id": "«proj»",
  "private_key_id": "«kid»",
  "private_key": "«pem»\\n",
  "client_email": "«sa»",
  "client_id": "«cid»",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
  "universe_domain": "googleapis.com"
}
""", locals())


def d_setup_ps1(g: Gen) -> LabelledDoc:
    host = g.word().upper() + "-WS" + g.digits(2)
    dom = g.domain()
    pw1 = P(g.pw(syms="!*-_.+?~^@#%&/:=;,()[]{}<>|"))
    az = K(g.azure_key())
    ip = I(g.ip())
    pw2 = P(yq1(g.pw(syms=SAFE_SYMS + "'#$")))
    pw3 = P(yq1(g.pw(syms=SAFE_SYMS + "'#$")))
    e1 = E(g.email(dom, role=True))
    e2 = E(g.email(dom))
    e3 = E("noreply@" + dom)
    return mk("scripts/provision-workstation.ps1", r"""
#Requires -RunAsAdministrator
param(
    [string]$ComputerName = "«host»",
    [string]$DomainUser = "CORP\svc_join"
)

$ErrorActionPreference = "Stop"

# Domain join (service account is limited to the Workstations OU)
$password = ConvertTo-SecureString "«pw1»" -AsPlainText -Force
$cred = New-Object System.Management.Automation.PSCredential ($DomainUser, $password)
Add-Computer -ComputerName $ComputerName -DomainName corp.«dom» -Credential $cred -Restart:$false

# Ask the operator for the SQL SA password instead of storing it
$sqlPass = Read-Host -AsSecureString "SQL SA password"

$env:AZURE_STORAGE_KEY = "«az»"
$env:GITHUB_TOKEN = $env:GH_PAT

Invoke-Sqlcmd -ServerInstance "«ip»" -Username sa -Password '«pw2»' -Query "SELECT @@VERSION"

# Kiosk user
$secure = ConvertTo-SecureString -String '«pw3»' -AsPlainText -Force
New-LocalUser -Name "kiosk" -Password $secure -PasswordNeverExpires -Description "Lobby kiosk"
Add-LocalGroupMember -Group "Users" -Member "kiosk"

Send-MailMessage -To "«e1»" -Cc "«e2»" -From "«e3»" `
    -Subject "$ComputerName provisioned" -SmtpServer smtp.«dom»
Write-Host "Done: $ComputerName"
""", locals())


def d_bat(g: Gen) -> LabelledDoc:
    ip1, ip2, ip3 = I(g.ip()), I(g.ip()), I(g.ip())
    sy = "!*-_.+?~@#$"
    pw1, pw2, pw3 = P(g.pw(syms=sy)), P(g.pw(syms=sy)), P(g.pw(syms=sy))
    email = E(g.email(role=True))
    return mk("scripts/map_drives.bat", r"""
@echo off
REM Map shared drives for the finance team - run at logon via GPO
setlocal
set SHARE_HOST=«ip1»
set SVC_USER=CORP\svc_fileshare
set SVC_PASS=«pw1»

net use Z: /delete /y >nul 2>&1
net use Z: \\%SHARE_HOST%\finance %SVC_PASS% /user:%SVC_USER% /persistent:yes
net use Y: \\«ip2»\scans «pw2» /user:scanner

REM RDP to the reporting server without a prompt
cmdkey /generic:TERMSRV/«ip3» /user:CORP\rdp_reports /pass:«pw3»

ping -n 1 %SHARE_HOST% >nul || echo File server unreachable
echo Done. Contact «email» if the drives do not appear.
endlocal
""", locals())


def d_reg(g: Gen) -> LabelledDoc:
    ip1 = I(g.ip())
    pw = P(yq2(g.pw(syms=SAFE_SYMS + "#$%")))
    ip2 = I(g.ip())
    key = K(g.s(48, AL))
    guid = g.uuid(upper=True)
    return mk("deploy/kiosk/kiosk-setup.reg", r"""
Windows Registry Editor Version 5.00

; proxy for the kiosk browser
[HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Internet Settings]
"ProxyEnable"=dword:00000001
"ProxyServer"="«ip1»:3128"
"ProxyOverride"="<local>;10.*;192.168.*"

; auto-logon
[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon]
"AutoAdminLogon"="1"
"DefaultUserName"="kiosk"
"DefaultPassword"="«pw»"
"DefaultDomainName"="CORP"

; monitoring agent
[HKEY_LOCAL_MACHINE\SOFTWARE\Vendor\Agent]
"ServerUrl"="https://«ip2»:8443/agent"
"InstallToken"="«key»"
"AgentGuid"="{«guid»}"
"LogPath"="C:\\ProgramData\\Vendor\\Agent\\logs"
""", locals())


def d_sops(g: Gen) -> LabelledDoc:
    e = [g.sops() for _ in range(6)]
    e0, e1, e2, e3, e4, e5 = e
    age = "age1" + g.s(58, "qpzry9x8gf2tvdw0s3jn54khce6mua7l")
    fp = g.hex(40).upper()
    mac = g.sops(32)
    enc_age = b64(g.bytes(180))
    return mk("secrets/prod.enc.yaml", """
database:
    user: «e0»
    password: «e1»
stripe:
    secret_key: «e2»
    webhook_secret: «e3»
smtp_password: «e4»
api_tokens:
    - «e5»
sops:
    kms: []
    gcp_kms: []
    azure_kv: []
    hc_vault: []
    age:
        - recipient: «age»
          enc: |
            -----BEGIN AGE ENCRYPTED FILE-----
            «enc_age»
            -----END AGE ENCRYPTED FILE-----
    lastmodified: "2024-03-04T09:12:44Z"
    mac: «mac»
    pgp:
        - created_at: "2024-03-04T09:12:44Z"
          fp: «fp»
    unencrypted_suffix: _unencrypted
    version: 3.8.1
""", locals())


def d_security_md(g: Gen) -> LabelledDoc:
    dom = g.domain()
    email = E(g.email(dom, role=True))
    backup = E(g.email(dom))
    fp = " ".join(g.hex(4).upper() for _ in range(10))
    pub = g.pgp_public()
    return mk("SECURITY.md", """
# Security Policy

## Supported Versions

| Version | Supported          |
|---------|--------------------|
| 3.x     | :white_check_mark: |
| 2.9.x   | :white_check_mark: |
| < 2.9   | :x:                |

## Reporting a Vulnerability

Please email **«email»** (backup contact: «backup»). Do not open a public issue.
Encrypt sensitive details with our PGP key, fingerprint `«fp»`:

```
«pub»
```

We acknowledge reports within 72 hours and aim to ship a fix within 30 days. Credit is given in
the release notes unless you ask otherwise.
""", locals())


def d_secrets_baseline(g: Gen) -> LabelledDoc:
    results = []
    for path in ["tests/fixtures/config.yaml", "docs/setup.md", "charts/web/values.yaml"]:
        results.append(f'''    "{path}": [
      {{
        "type": "{g.pick(["Secret Keyword", "Basic Auth Credentials", "Hex High Entropy String"])}",
        "filename": "{path}",
        "hashed_secret": "{g.hex(40)}",
        "is_verified": false,
        "line_number": {g.r.randint(3, 200)}
      }}
    ]''')
    res = ",\n".join(results)
    return mk(".secrets.baseline", """
{
  "version": "1.4.0",
  "plugins_used": [
    {"name": "AWSKeyDetector"},
    {"name": "BasicAuthDetector"},
    {"name": "Base64HighEntropyString", "limit": 4.5},
    {"name": "HexHighEntropyString", "limit": 3.0},
    {"name": "KeywordDetector", "keyword_exclude": ""},
    {"name": "PrivateKeyDetector"},
    {"name": "SlackDetector"},
    {"name": "StripeDetector"}
  ],
  "filters_used": [
    {"path": "detect_secrets.filters.allowlist.is_line_allowlisted"},
    {"path": "detect_secrets.filters.heuristic.is_likely_id_string"},
    {"path": "detect_secrets.filters.heuristic.is_templated_secret"}
  ],
  "results": {
«res»
  },
  "generated_at": "2024-03-02T11:40:13Z"
}
""", locals())




def d_env_production(g: Gen) -> LabelledDoc:
    dom = g.domain()
    openai, ant, hf = K(g.openai()), K(g.anthropic()), K(g.hf())
    shop = K(g.shopify())
    do = K(g.dop())
    cf = K(g.s(40, B64U))
    okta_org = g.word()
    okta = K(g.okta())
    auth0_id = g.s(32, AL)
    auth0 = K(g.s(64, B64U))
    glsa = K(g.glsa())
    nrak = K(g.nrak())
    disc_bot = K(g.discord_bot())
    hook_id = g.digits(19)
    disc_hook = K(g.s(68, B64U))
    mg = K(g.mailgun())
    twsid = "AC" + g.hex(32)
    twtok = K(g.hex(32))
    xoxb = K(g.xoxb())
    ga = "G-" + g.s(10, UP)
    return mk("backend/.env.production", """
NODE_ENV=production
PORT=8080
PUBLIC_URL=https://«dom»
GA_MEASUREMENT_ID=«ga»

# --- AI providers
OPENAI_API_KEY=«openai»
ANTHROPIC_API_KEY=«ant»
HUGGINGFACE_TOKEN=«hf»

# --- Shopify app
SHOPIFY_SHOP=«okta_org»-store.myshopify.com
SHOPIFY_ADMIN_ACCESS_TOKEN=«shop»

# --- infra
DIGITALOCEAN_TOKEN=«do»
CLOUDFLARE_API_TOKEN=«cf»

# --- auth
OKTA_ORG_URL=https://«okta_org».okta.com
OKTA_API_TOKEN=«okta»
AUTH0_DOMAIN=«okta_org».eu.auth0.com
AUTH0_CLIENT_ID=«auth0_id»
AUTH0_CLIENT_SECRET=«auth0»

# --- observability
GRAFANA_SERVICE_ACCOUNT_TOKEN=«glsa»
NEW_RELIC_API_KEY=«nrak»

# --- chat
DISCORD_BOT_TOKEN=«disc_bot»
DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/«hook_id»/«disc_hook»
SLACK_BOT_TOKEN=«xoxb»

# --- messaging
MAILGUN_API_KEY=«mg»
MAILGUN_DOMAIN=mg.«dom»
TWILIO_ACCOUNT_SID=«twsid»
TWILIO_AUTH_TOKEN=«twtok»
""", locals())



def d_locales(g: Gen) -> LabelledDoc:
    return mk("frontend/src/locales/en.json", """
{
  "auth": {
    "email": "Email address",
    "email_placeholder": "you@example.com",
    "password": "Password",
    "password_placeholder": "••••••••",
    "confirm_password": "Confirm password",
    "forgot_password": "Forgot your password?",
    "reset_password": "Reset password",
    "password_too_short": "Password must be at least {{min}} characters",
    "password_mismatch": "Passwords do not match",
    "current_password": "Current password",
    "new_password": "New password",
    "show_password": "Show password",
    "api_key": "API key",
    "api_key_help": "Paste the key from Settings → API (it starts with sk_)",
    "token_expired": "Your session token has expired. Please sign in again.",
    "two_factor_secret": "Authenticator secret"
  },
  "settings": {
    "ip_allowlist": "IP allowlist",
    "ip_allowlist_help": "One address or CIDR per line, e.g. 192.0.2.10 or 10.0.0.0/8",
    "webhook_secret": "Webhook signing secret",
    "regenerate": "Regenerate",
    "masked": "********",
    "copy": "Copy to clipboard",
    "version": "Version {{version}}"
  }
}
""", locals())


# ============================================================================== assembly

_BUILDERS = (
    # env / containers / orchestration
    d_env_laravel, d_env_example, d_env_production, d_compose_dev, d_compose_prod, d_dockerfile,
    d_k8s_secret, d_k8s_deploy, d_helm_values, d_helm_template, d_kubeconfig,
    # configuration management / IaC
    d_ansible_inventory, d_ansible_vault_vars, d_ansible_mysql, d_ansible_site,
    d_tf_main, d_tfvars, d_cloudformation, d_sops,
    # CI
    d_gh_deploy, d_gh_ci, d_gitlab_ci, d_jenkinsfile, d_circleci, d_travis, d_secrets_baseline,
    # app frameworks and package managers
    d_spring_properties, d_spring_yaml, d_maven_settings, d_nuget, d_npmrc, d_pypirc, d_pipconf,
    d_gradle_props,
    # user credential files
    d_netrc, d_git_credentials, d_aws_credentials, d_ssh_config, d_known_hosts,
    d_bash_history, d_service_account,
    # servers / proxies / mail
    d_nginx, d_apache, d_haproxy, d_postfix_sasl, d_tomcat_users, d_tomcat_context, d_web_config,
    # data stores / brokers
    d_redis_conf, d_mongo_backup, d_mycnf, d_pgpass, d_pg_hba, d_kibana,
    d_rabbit_defs, d_kafka_jaas,
    # monitoring
    d_grafana_ini, d_prometheus, d_alertmanager,
    # data files and logs
    d_notebook, d_sql_dump, d_users_csv, d_access_log, d_auth_log,
    # build / ops
    d_makefile, d_systemd, d_crontab,
    # network / vpn
    d_wireguard, d_openvpn, d_wpa, d_cisco, d_ldif,
    # docs
    d_readme, d_maintainers, d_authors, d_changelog, d_issue_template, d_wiki_deploy,
    d_security_md, d_email_html, d_locales,
    # generic configs
    d_settings_ini, d_config_toml, d_default_json,
    # windows
    d_setup_ps1, d_bat, d_reg,
)


def testset6_documents(seed: int = SEED) -> list[LabelledDoc]:
    """The labelled documents of set 6; deterministic for a given seed."""
    g = Gen(seed)
    return [build(g) for build in _BUILDERS]


def _check(docs: list[LabelledDoc]) -> None:
    names = [d.name for d in docs]
    dupes = {n for n in names if names.count(n) > 1}
    assert not dupes, f"duplicate names: {dupes}"
    for d in docs:
        assert "⟦" not in d.text and "⟧" not in d.text, f"marker left in {d.name}"
        assert not re.search(r"«\w+»", d.text), f"unfilled placeholder in {d.name}"
        last_end = -1
        for kind, s, e in sorted(d.spans, key=lambda t: t[1]):
            assert kind in KINDS, (d.name, kind)
            value = d.text[s:e]
            assert e > s and value, f"empty span in {d.name}"
            assert value == value.strip(), f"unstripped span {value!r} in {d.name}"
            assert s >= last_end, f"overlapping spans in {d.name}"
            last_end = e
            if kind == "ip_address":
                assert value not in _RESOLVERS, (d.name, value)
            if kind == "email":
                assert "@" in value and not re.search(r"@(example\.(com|org|net)|localhost)\b", value), value


def _counts(docs: list[LabelledDoc]) -> dict[str, int]:
    out = {k: 0 for k in KINDS}
    for d in docs:
        for kind, _, _ in d.spans:
            out[kind] += 1
    return out


if __name__ == "__main__":
    docs = testset6_documents()
    _check(docs)
    again = testset6_documents()
    assert [(d.name, d.text, d.spans) for d in docs] == [(d.name, d.text, d.spans) for d in again], \
        "not deterministic"
    other = testset6_documents(SEED + 1)
    _check(other)
    counts = _counts(docs)
    empty = [d.name for d in docs if not d.spans]
    print(f"documents: {len(docs)}  spans: {sum(counts.values())}")
    for kind in KINDS:
        print(f"  {kind:<11} {counts[kind]}")
    print(f"documents without positives ({len(empty)}): {', '.join(empty)}")
    if "-v" in sys.argv:
        for d in docs:
            c = _counts([d])
            print(f"{d.name:<55} lines={d.text.count(chr(10)):>3} " +
                  " ".join(f"{k[:2]}={c[k]}" for k in KINDS))
