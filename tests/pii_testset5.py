"""Blind labelled set #5 for the PII/secret scrubber: ordinary application and test code as it
sits in public repositories, in many languages, with credentials where developers really leave
them (positional call arguments, builders, dicts and struct initialisers, fixtures, seed files,
test tables, command lines, URLs, env files, comments and READMEs) and the look-alikes a
scrubber must leave alone.

Written without looking at the scrubber or at the other labelled sets. Planted secrets are
written `⟦kind|value⟧` (via the `«…»` slots below) and every secret value is drawn from a
seeded `random.Random`, so each seed gives fresh values.

Labelling policy
----------------
Spans cover exactly the secret value as written in the file: not the quotes, not `user:`, not
the port, not a surrounding `Bearer `. A value that is escaped in the file (JSON `\\n` inside a
private key) is spanned as written.

email       Every real-looking mailbox address (people, team aliases, service accounts such as
            `x@proj.iam.gserviceaccount.com`) is a positive, wherever it appears: code, comments,
            headers, author fields, `mailto:` links. Not emails: `git@github.com:org/repo.git`
            remotes, `user@host` ssh targets, `'app'@'%'` MySQL accounts, `pkg@1.2.3`,
            `@scope/pkg`, `icon@2x.png`, `image@sha256:…`, decorators and annotations, CSS
            at-rules, templates such as `user{n}@…`/`${user}@${domain}`, regexes. Reserved
            example domains (example.com/.org/.net) are not used anywhere in this set.
ip_address  Public (globally routable) IPv4 and IPv6 addresses are positives, including with a
            port or inside a URL (span the address only). Not IPs: private, loopback,
            link-local/metadata (169.254.x.x), 0.0.0.0, CIDR ranges of private space, netmasks,
            the public DNS resolvers 8.8.8.8/8.8.4.4/1.1.1.1/9.9.9.9, version strings
            (including four-part ones), OIDs and SNMP OIDs. Documentation ranges
            (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32) are not used anywhere.
key         Any credential that is not a human-chosen password: provider tokens and API keys
            (AWS id and secret, GitHub, GitLab, Slack, Stripe secret/restricted, Twilio,
            SendGrid, Mailgun, Mailchimp, npm, PyPI, Discord, Telegram, Google, Azure, OpenAI,
            Anthropic, Hugging Face, Shopify, Square, Braintree, Datadog, DigitalOcean,
            Cloudflare, Okta, Auth0, ...), OAuth client secrets, signing/encryption keys and
            framework secrets (Django SECRET_KEY, Flask secret_key, Rails secret_key_base,
            Laravel APP_KEY, WordPress salts, JWT secrets) in hex/base64/any alphabet, bearer
            and session tokens, JWTs, the base64 of `Authorization: Basic`, the secret part of a
            Sentry DSN, the token segment of a Slack/Discord webhook URL, Azure AccountKey /
            SharedAccessKey / SAS `sig`, and PEM/OpenSSH/PGP private key blocks (span from
            `-----BEGIN` through the closing `-----`).
            Not keys: hashes and digests next to sha/md5/digest/checksum/integrity/etag, git
            commit SHAs, UUIDs/GUIDs, bcrypt/argon2/pbkdf2 password hashes, Stripe publishable
            keys (`pk_…`), AWS's documented example keys, public keys and certificates,
            Slack team/channel ids and Discord webhook ids, OAuth client ids and app ids, base64 data URIs and other encoded
            non-secret data, labelled crypto test vectors.
password    A literal password, passphrase or PIN-like secret that a human chose or was given:
            `password=`/`passwd`/`pwd`/`pass`/`pw`/`passphrase`/`db_pass`/`userPass`/
            `mot_de_passe`/`contraseña`/`Passwort`/`kennwort`..., the password argument of a
            call (`login(user, pw)`, `connect(host, user, pw, db)`, `HTTPBasicAuth`,
            `NetworkCredential`, `auth=(user, pw)`), builder methods (`.password("…")`,
            `setPassword`), the password in URL userinfo (`scheme://user:PASS@host`, span only
            PASS), command lines (`-pPASS`, `sshpass -p`, `-e POSTGRES_PASSWORD=`, `htpasswd
            -b`, `curl -u user:PASS`), env files, seeds, fixtures, test tables, prose ("log in
            as bob / PASS") and commented-out code. Test and development passwords count.
            Not passwords: unambiguous placeholders (`<your-password>`, `YOUR_PASSWORD_HERE`,
            `xxxxxxxx`, `********`, `${DB_PASSWORD}`, `{{ secrets.X }}`, `%(password)s`,
            `:password`), reads from the environment/getpass/input/prompt/config, password
            hashes, masked values, UI labels and i18n strings ("Password", "Mot de passe"),
            identifiers (`reset_password_url`, `PASSWORD_MIN_LENGTH = 8`, `validate_password`),
            policy regexes and form field names. To keep the set unambiguous it contains no
            dictionary-placeholder passwords at all (`changeme`, `password`, `secret`, `admin`,
            `test`, `123456` ...), neither labelled nor unlabelled.

Usernames, hostnames that are names (db.internal, smtp.gmail.com), ports and database names are
never labelled.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import random
import re
import string
import uuid
from collections import Counter

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 5

KINDS = ("email", "ip_address", "key", "password")

# ------------------------------------------------------------------------------ value pools

_WORDS = """amber anchor aspen badger basil birch bison cedar cobalt comet coral cricket cypress
delta dune ember falcon fern fjord flint gale garnet glacier granite harbor hazel heron indigo
iris jasper juniper kestrel lagoon larch lumen lynx magnet mango maple marble meadow mesa nectar
nimbus nova oak obsidian onyx orbit osprey otter pebble pepper pine plume prairie quartz quill
raven reef ridge river saffron sage sequoia sierra sparrow spruce summit tango thistle thunder
tidal topaz tundra velvet walnut willow zephyr""".split()

_FIRST = """alice bruno chloe dmitri elena farid grace hiro ines jonas keiko liam maria nadia
omar priya quentin rosa sven tamara umar valeria wen xavier yusuf zoe""".split()
_LAST = """andersen becker castillo dubois eriksen fischer garcia haddad ivanova jensen kowalski
lindqvist moreau nakamura okafor petrov quinn rossi schmidt tanaka ueda vargas weber yilmaz
zhang""".split()

_WEBMAIL = ["gmail.com", "outlook.com", "yahoo.com", "protonmail.com", "hotmail.com", "icloud.com",
            "fastmail.com", "gmx.de", "web.de", "yandex.ru"]
_TLDS = ["com", "io", "dev", "net", "org", "co", "co.uk", "de", "fr", "ca", "com.br", "nl", "se",
         "app", "tech"]

# first octets of public IPv4 space, far from private, reserved, documentation and resolver blocks
_PUBLIC_OCTETS = [23, 31, 34, 35, 37, 45, 46, 51, 52, 54, 62, 64, 66, 78, 82, 85, 91, 93, 95, 104,
                  107, 116, 128, 134, 138, 139, 142, 143, 146, 147, 151, 157, 159, 161, 162, 164,
                  165, 167, 176, 178, 185, 188, 193, 194, 195, 199, 212, 213, 217]
_V6_PREFIXES = [0x2a01, 0x2a02, 0x2a03, 0x2a05, 0x2604, 0x2606, 0x2607, 0x2620, 0x2400, 0x2404,
                0x2800, 0x2c0f]
_RESOLVERS = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9"}

ALNUM = string.ascii_letters + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
B64URL = ALNUM + "-_"
B32 = string.ascii_uppercase + "234567"

# values that must never be planted (they are placeholders under the policy above)
_BANNED_PASSWORDS = {"changeme", "password", "secret", "admin", "test", "123456", "qwerty",
                     "letmein", "default", "example"}
_PLACEHOLDER_HINT = re.compile(r"(?i)your|here|xxxx|\*\*\*\*|example|changeme|passw|secret|\$\{|\{\{|<|>")


def _plausible_password(value: str) -> bool:
    """Long enough, and nothing a reader could take for a placeholder."""
    return (len(value) >= 8 and value.lower() not in _BANNED_PASSWORDS
            and not _PLACEHOLDER_HINT.search(value))


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class _Values:
    """Fresh secret values and look-alikes. `pw_*`, `key_*`, `email_*`, `ip_*` make positives,
    `neg_*` make unlabelled look-alikes."""

    def __init__(self, rng: random.Random):
        self.r = rng

    # ---------------------------------------------------------------- helpers
    def s(self, alphabet: str, n: int) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def raw(self, n: int) -> bytes:
        return bytes(self.r.getrandbits(8) for _ in range(n))

    def word(self) -> str:
        return self.r.choice(_WORDS)

    def _mixed(self, alphabet: str, lo: int, hi: int) -> str:
        """Random string with upper, lower and digit, starting with a letter or digit."""
        while True:
            v = self.s(ALNUM, 1) + self.s(alphabet, self.r.randint(lo, hi) - 1)
            if any(c.isdigit() for c in v) and any(c.isupper() for c in v) and any(c.islower() for c in v):
                return v

    # ---------------------------------------------------------------- passwords
    def pw_default(self) -> str:
        return getattr(self, "pw_" + self.r.choice(["random", "words", "phrase", "human", "random", "words"]))()

    def pw_random(self) -> str:
        return self._mixed(ALNUM + "!*-_.+?~^", 10, 18)

    def pw_rich(self) -> str:  # only where `@ # $ % &` are harmless (single-quoted strings)
        return self._mixed(ALNUM + "!@#$%&*-_+=?", 12, 20)

    def pw_alnum(self) -> str:
        return self._mixed(ALNUM, 12, 16)

    def pw_url(self) -> str:  # safe in URL userinfo and unquoted shell words
        return self._mixed(ALNUM + "-_.~", 12, 18)

    def pw_words(self) -> str:
        a, b = self.word().capitalize(), self.word()
        sep = self.r.choice(["#", "!", "_", ".", "*", ""])
        return self.r.choice([f"{a}{sep}{self.r.randint(100, 9999)}",
                              f"{b}{sep}{a}{self.r.randint(10, 99)}",
                              f"{a}{self.r.randint(10, 99)}{b.capitalize()}{sep or '!'}"])

    def pw_phrase(self) -> str:
        sep = self.r.choice(["-", ".", "_"])
        return sep.join([self.word() for _ in range(self.r.randint(3, 4))] + [str(self.r.randint(2, 99))])

    def pw_human(self) -> str:
        w = self.word()
        w = w.capitalize() if self.r.random() < 0.6 else w
        return f"{w}{self.r.randint(1960, 2025)}{self.r.choice(['', '!', '?', '*'])}"

    def pw_gapp(self) -> str:  # Google app password: 16 lowercase letters, shown in groups of 4
        v = self.s(string.ascii_lowercase, 16)
        return " ".join(v[i:i + 4] for i in range(0, 16, 4)) if self.r.random() < 0.5 else v

    # ---------------------------------------------------------------- emails
    def email_default(self) -> str:
        return getattr(self, "email_" + self.r.choice(["corp", "corp", "personal"]))()

    def _local(self) -> str:
        f, l = self.r.choice(_FIRST), self.r.choice(_LAST)
        return self.r.choice([f"{f}.{l}", f"{f[0]}{l}", f"{f}", f"{f}_{l}", f"{f}.{l}{self.r.randint(1, 99)}"])

    def domain(self) -> str:
        return f"{self.word()}{self.r.choice(['', '-'])}{self.word()}.{self.r.choice(_TLDS)}"

    def email_corp(self) -> str:
        return f"{self._local()}@{self.domain()}"

    def email_personal(self) -> str:
        return f"{self._local()}{self.r.choice(['', str(self.r.randint(1, 999))])}@{self.r.choice(_WEBMAIL)}"

    def email_team(self) -> str:
        box = self.r.choice(["ops", "devops", "support", "security", "billing", "alerts", "noc", "hr",
                             "infra", "platform", "sre", "helpdesk", "mailer", "notifications"])
        return f"{box}@{self.domain()}"

    def email_gsa(self) -> str:
        return f"{self.word()}-{self.s(string.ascii_lowercase, 4)}@{self.word()}-{self.r.randint(100000, 999999)}.iam.gserviceaccount.com"

    # ---------------------------------------------------------------- ip addresses
    def ip_default(self) -> str:
        while True:
            v = f"{self.r.choice(_PUBLIC_OCTETS)}.{self.r.randint(0, 255)}.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}"
            if ipaddress.ip_address(v).is_global and v not in _RESOLVERS:
                return v

    def ip_v6(self) -> str:
        groups = [self.r.choice(_V6_PREFIXES)] + [self.r.randint(0, 0xFFFF) for _ in range(3)]
        tail = [self.r.randint(0, 0xFFFF) for _ in range(4)] if self.r.random() < 0.5 else [0, 0, 0, self.r.randint(1, 0xFFF)]
        return str(ipaddress.IPv6Address(":".join(f"{g:x}" for g in groups + tail)))

    # ---------------------------------------------------------------- keys
    def key_aws_id(self) -> str:
        return self.r.choice(["AKIA", "AKIA", "ASIA"]) + self.s(B32, 16)

    def key_aws_secret(self) -> str:
        return self.s(ALNUM + "+/", 40)

    def key_gh_pat(self) -> str:
        return "ghp_" + self.s(ALNUM, 36)

    def key_gh_fine(self) -> str:
        return "github_pat_" + self.s(UPPER_DIGITS, 22) + "_" + self.s(ALNUM, 59)

    def key_gh_app(self) -> str:
        return self.r.choice(["ghs_", "gho_", "ghu_"]) + self.s(ALNUM, 36)

    def key_gitlab(self) -> str:
        return "glpat-" + self.s(B64URL, 20)

    def key_slack_bot(self) -> str:
        return f"xoxb-{self.s(string.digits, 12)}-{self.s(string.digits, 13)}-{self.s(ALNUM, 24)}"

    def key_slack_user(self) -> str:
        return f"xoxp-{self.s(string.digits, 12)}-{self.s(string.digits, 12)}-{self.s(string.digits, 13)}-{self.s(HEX, 32)}"

    def key_slack_hook(self) -> str:  # the secret last segment of a webhook URL
        return self.s(ALNUM, 24)

    def key_stripe_sk(self) -> str:
        return self.r.choice(["sk_live_", "sk_test_", "rk_live_"]) + self.s(ALNUM, self.r.choice([24, 34, 99]))

    def key_stripe_whsec(self) -> str:
        return "whsec_" + self.s(ALNUM, 32)

    def key_twilio(self) -> str:
        return self.s(HEX, 32)

    def key_sendgrid(self) -> str:
        return f"SG.{self.s(B64URL, 22)}.{self.s(B64URL, 43)}"

    def key_mailgun(self) -> str:
        return "key-" + self.s(HEX, 32)

    def key_mailchimp(self) -> str:
        return f"{self.s(HEX, 32)}-us{self.r.randint(1, 21)}"

    def key_npm(self) -> str:
        return "npm_" + self.s(ALNUM, 36)

    def key_pypi(self) -> str:
        return "pypi-AgEIcHlwaS5vcmc" + self.s(B64URL, 150)

    def key_discord(self) -> str:
        uid = str(self.r.randint(10 ** 17, 10 ** 19 - 1))
        return f"{_b64url(uid.encode())}.{self.s(B64URL, 6)}.{self.s(B64URL, 38)}"

    def key_discord_hook(self) -> str:
        return self.s(B64URL, 68)

    def key_telegram(self) -> str:
        return f"{self.r.randint(10 ** 8, 10 ** 10 - 1)}:AA{self.s(B64URL, 33)}"

    def key_google_api(self) -> str:
        return "AIza" + self.s(B64URL, 35)

    def key_google_secret(self) -> str:
        return "GOCSPX-" + self.s(B64URL, 28)

    def key_azure_storage(self) -> str:
        return base64.b64encode(self.raw(64)).decode()

    def key_azure_sas(self) -> str:  # url-encoded base64 of a 32-byte HMAC
        return base64.b64encode(self.raw(32)).decode().replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")

    def key_azure_ad(self) -> str:  # Entra ID (Azure AD) client secret
        return self.s(ALNUM, 3) + "8Q~" + self.s(ALNUM + "_.~-", 34)

    def key_azure_sb(self) -> str:
        return base64.b64encode(self.raw(32)).decode()

    def key_openai(self) -> str:
        return self.r.choice(["sk-" + self.s(ALNUM, 48), "sk-proj-" + self.s(B64URL, 74) + "T3BlbkFJ" + self.s(B64URL, 74)])

    def key_anthropic(self) -> str:
        return "sk-ant-api03-" + self.s(B64URL, 93) + "AA"

    def key_hf(self) -> str:
        return "hf_" + self.s(string.ascii_letters, 34)

    def key_shopify(self) -> str:
        return self.r.choice(["shpat_", "shpss_", "shpca_"]) + self.s(HEX, 32)

    def key_square(self) -> str:
        return self.r.choice(["EAAA" + self.s(B64URL, 60), "sq0csp-" + self.s(B64URL, 43)])

    def key_braintree(self) -> str:
        return f"access_token$production${self.s(string.ascii_lowercase + string.digits, 16)}${self.s(HEX, 32)}"

    def key_paypal_secret(self) -> str:
        return "E" + self.s(B64URL, 79)

    def key_datadog_api(self) -> str:
        return self.s(HEX, 32)

    def key_datadog_app(self) -> str:
        return self.s(HEX, 40)

    def key_sentry(self) -> str:
        return self.s(HEX, 32)

    def key_heroku(self) -> str:
        return "HRKU-AA" + self.s(B64URL, 58)

    def key_digitalocean(self) -> str:
        return "dop_v1_" + self.s(HEX, 64)

    def key_cloudflare(self) -> str:
        return self.s(B64URL, 40)

    def key_okta(self) -> str:
        return "00" + self.s(B64URL, 40)

    def key_auth0(self) -> str:
        return self.s(B64URL, 64)

    def key_django(self) -> str:
        body = self.s(string.ascii_lowercase + string.digits + "!@#^&*(-_=+)", 50)
        return ("django-insecure-" + body) if self.r.random() < 0.4 else body

    def key_wp_salt(self) -> str:
        return self.s(ALNUM + "!@#$%^&*()-_[]{}<>~`+=,.;:/?|", 64)

    def key_hex16(self) -> str:
        return self.s(HEX, 32)

    def key_hex32(self) -> str:
        return self.s(HEX, 64)

    def key_hex24(self) -> str:
        return self.s(HEX, 48)

    def key_b64_32(self) -> str:
        return base64.b64encode(self.raw(32)).decode()

    def key_b64url_32(self) -> str:
        return base64.urlsafe_b64encode(self.raw(32)).decode().rstrip("=")

    def key_fernet(self) -> str:
        return base64.urlsafe_b64encode(self.raw(32)).decode()

    def key_b64_64(self) -> str:
        return base64.b64encode(self.raw(48)).decode()

    def key_sentry_auth(self) -> str:
        return "sntryu_" + self.s(HEX, 64)

    def key_revenuecat(self) -> str:
        return "goog_" + self.s(ALNUM, 27)

    def key_token(self) -> str:
        return self.s(ALNUM, self.r.choice([32, 40, 48]))

    def key_rails(self) -> str:
        return self.s(HEX, 128)

    def key_basic(self) -> str:
        user = self.r.choice(["api", "svc-build", "jenkins", "grafana", "reporter", self.r.choice(_FIRST)])
        return base64.b64encode(f"{user}:{self.pw_alnum()}".encode()).decode()

    def key_jwt(self) -> str:
        header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        iat = self.r.randint(1_650_000_000, 1_730_000_000)
        claims = {"sub": str(self.r.randint(1000, 999999)), "name": self.r.choice(_FIRST).capitalize(),
                  "role": self.r.choice(["user", "editor", "ops"]), "iat": iat, "exp": iat + 3600}
        payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
        return f"{header}.{payload}.{_b64url(self.raw(32))}"

    def _pem(self, label: str, der_prefix: bytes, n: int, newline: str = "\n") -> str:
        body = base64.b64encode(der_prefix + self.raw(n)).decode()
        lines = [body[i:i + 64] for i in range(0, len(body), 64)]
        return newline.join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"])

    def key_pem_rsa(self) -> str:
        return self._pem("RSA PRIVATE KEY", b"\x30\x82\x04\xa4\x02\x01\x00\x02\x82\x01\x01\x00", 1180)

    def key_pem_pkcs8_json(self) -> str:  # as in a Google service-account JSON: escaped newlines
        prefix = b"\x30\x82\x04\xbe\x02\x01\x00\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01\x05\x00"
        return self._pem("PRIVATE KEY", prefix, 1190, newline="\\n")

    def key_pem_ec(self) -> str:
        return self._pem("EC PRIVATE KEY", b"\x30\x77\x02\x01\x01\x04\x20", 112)

    def key_pem_openssh(self) -> str:
        return self._pem("OPENSSH PRIVATE KEY", b"openssh-key-v1\x00\x00\x00\x00\x04none", 380)

    def key_pem_pgp(self) -> str:
        body = base64.b64encode(b"\x95\x03\xc6\x04" + self.raw(560)).decode()
        lines = [body[i:i + 64] for i in range(0, len(body), 64)]
        crc = base64.b64encode(self.raw(3)).decode()
        return "\n".join(["-----BEGIN PGP PRIVATE KEY BLOCK-----", "", *lines, "=" + crc,
                          "-----END PGP PRIVATE KEY BLOCK-----"])

    # ---------------------------------------------------------------- look-alikes (never labelled)
    def neg_md5(self) -> str:
        return self.s(HEX, 32)

    def neg_sha1(self) -> str:
        return self.s(HEX, 40)

    def neg_sha256(self) -> str:
        return self.s(HEX, 64)

    def neg_sha512(self) -> str:
        return self.s(HEX, 128)

    def neg_short_sha(self) -> str:
        return self.s(HEX, 7)

    def neg_sri(self) -> str:
        return "sha512-" + base64.b64encode(self.raw(64)).decode()

    def neg_uuid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def neg_bcrypt(self) -> str:
        return "$2b$12$" + self.s(ALNUM + "./", 53)

    def neg_argon2(self) -> str:
        return f"$argon2id$v=19$m=65536,t=3,p=4${_b64url(self.raw(16))}${_b64url(self.raw(32))}"

    def neg_pbkdf2(self) -> str:
        return f"pbkdf2_sha256$600000${self.s(ALNUM, 22)}${base64.b64encode(self.raw(32)).decode()}"

    def neg_private_ip(self) -> str:
        return self.r.choice([f"10.{self.r.randint(0, 255)}.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}",
                              f"172.{self.r.randint(16, 31)}.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}",
                              f"192.168.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}"])

    def neg_stripe_pk(self) -> str:
        return self.r.choice(["pk_live_", "pk_test_"]) + self.s(ALNUM, self.r.choice([24, 34, 99]))

    def neg_slack_t(self) -> str:
        return "T" + self.s(UPPER_DIGITS, 10)

    def neg_slack_b(self) -> str:
        return "B" + self.s(UPPER_DIGITS, 10)

    def neg_id18(self) -> str:
        return str(self.r.randint(10 ** 17, 10 ** 19 - 1))

    def neg_digits(self) -> str:
        return str(self.r.randint(100000, 9999999))

    def neg_cert(self) -> str:
        return self._pem("CERTIFICATE", b"\x30\x82\x03\x5d\x30\x82\x02\x45\xa0\x03\x02\x01\x02", 820)

    def neg_pubkey(self) -> str:
        return self._pem("PUBLIC KEY", b"\x30\x82\x01\x22\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01\x05\x00", 270)

    def neg_ssh_pub(self) -> str:
        return "ssh-ed25519 " + base64.b64encode(b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + self.raw(32)).decode()

    def neg_png(self) -> str:
        return base64.b64encode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + self.raw(60)).decode()

    def neg_woff(self) -> str:
        return base64.b64encode(b"wOF2\x00\x01\x00\x00" + self.raw(120)).decode()

    def neg_b64json(self) -> str:  # encoded non-secret data (a pagination cursor)
        cur = {"page": self.r.randint(2, 40), "sort": "created_at", "after": self.r.randint(1000, 99999)}
        return base64.b64encode(json.dumps(cur).encode()).decode()

# ------------------------------------------------------------------------------ templates
#
# Slots: «P[:style][#tag]» password, «K:gen[#tag]» key, «E[:style][#tag]» email,
# «I[:v6][#tag]» ip address, «N:gen[#tag]» unlabelled look-alike. A #tag reuses the value
# drawn for the same slot earlier in the document.

_SLOT = re.compile(r"«([PKEIN])(?::(\w+))?(?:#(\w+))?»")
_SLOT_KIND = {"P": "password", "K": "key", "E": "email", "I": "ip_address"}
_SLOT_PREFIX = {"P": "pw_", "K": "key_", "E": "email_", "I": "ip_", "N": "neg_"}

TEMPLATES: list[tuple[str, str]] = []


def _t(name: str, text: str) -> None:
    TEMPLATES.append((name, text.lstrip("\n")))


def _render(template: str, rng: random.Random) -> str:
    values = _Values(rng)
    cache: dict[tuple[str, str, str], str] = {}

    def fill(m: re.Match) -> str:
        letter, gen, tag = m.group(1), m.group(2) or "default", m.group(3)
        ident = (letter, gen, tag)
        if tag and ident in cache:
            value = cache[ident]
        else:
            make = getattr(values, _SLOT_PREFIX[letter] + gen)
            value = make()
            while letter == "P" and not _plausible_password(value):
                value = make()
            if tag:
                cache[ident] = value
        return value if letter == "N" else f"⟦{_SLOT_KIND[letter]}|{value}⟧"

    return _SLOT.sub(fill, template)

# ------------------------------------------------------------------------------ Python

_t("inventory/settings/production.py", r'''
"""
Django settings for inventory project.

Generated by 'django-admin startproject' using Django 4.2.7.
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = "«K:django»"

DEBUG = False
ALLOWED_HOSTS = ["inventory.internal", "127.0.0.1", "«I»", "«I»", "localhost"]
INTERNAL_IPS = ["127.0.0.1", "«N:private_ip»"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "stock",
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "inventory",
        "USER": "inventory_app",
        "PASSWORD": "«P»",
        "HOST": "«N:private_ip»",
        "PORT": "5432",
    },
    "replica": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "inventory",
        "USER": "readonly",
        "PASSWORD": os.environ.get("REPLICA_DB_PASSWORD", ""),
        "HOST": "«N:private_ip»",
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_RESET_TIMEOUT = 259200

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "smtp.gmail.com"
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = "«E:team#mailer»"
EMAIL_HOST_PASSWORD = "«P:gapp»"
DEFAULT_FROM_EMAIL = "Inventory <«E:team#mailer»>"
ADMINS = [("Ops", "«E:team»"), ("Hiro Nakamura", "«E»")]
''')

_t("flask_blog/app/__init__.py", r'''
from flask import Flask
from flask_login import LoginManager
from flask_mail import Mail
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
mail = Mail()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to access this page."


def create_app(config_name="production"):
    app = Flask(__name__)
    app.secret_key = "«K:hex24»"
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql://blog:«P:url»@«I»:5432/blog"
    app.config["SQLALCHEMY_TRACK_MODIFICATIONS"] = False

    app.config["MAIL_SERVER"] = "smtp.mailgun.org"
    app.config["MAIL_PORT"] = 587
    app.config["MAIL_USE_TLS"] = True
    app.config["MAIL_USERNAME"] = "«E:team»"
    app.config["MAIL_PASSWORD"] = "«P»"
    app.config["MAIL_DEFAULT_SENDER"] = ("Blog", "«E:team»")

    # app.config["MAIL_PASSWORD"] = "«P»"   # old mailgun account, kept for reference

    db.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)

    from .auth import auth as auth_blueprint
    app.register_blueprint(auth_blueprint, url_prefix="/auth")
    return app
''')

_t("fastapi_app/app/core/config.py", r'''
import secrets
from typing import List, Optional

from pydantic import AnyHttpUrl, EmailStr, PostgresDsn, validator
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    API_V1_STR: str = "/api/v1"
    # 60 minutes * 24 hours * 8 days = 8 days
    ACCESS_TOKEN_EXPIRE_MINUTES: int = 60 * 24 * 8
    JWT_SECRET: str = "«K:b64url_32»"
    JWT_ALGORITHM: str = "HS256"
    SERVER_NAME: str = "api.tracker"
    BACKEND_CORS_ORIGINS: List[AnyHttpUrl] = ["http://localhost:3000", "http://«I»:8080"]

    POSTGRES_SERVER: str = "db"
    POSTGRES_USER: str = "tracker"
    POSTGRES_PASSWORD: str = "«P:url»"
    POSTGRES_DB: str = "tracker"
    SQLALCHEMY_DATABASE_URI: Optional[PostgresDsn] = None

    SMTP_TLS: bool = True
    SMTP_PORT: Optional[int] = 587
    SMTP_HOST: Optional[str] = "smtp.sendgrid.net"
    SMTP_USER: Optional[str] = "apikey"
    SMTP_PASSWORD: Optional[str] = "«K:sendgrid»"
    EMAILS_FROM_EMAIL: Optional[EmailStr] = "«E:team»"

    EMAIL_RESET_TOKEN_EXPIRE_HOURS: int = 48
    PASSWORD_MIN_LENGTH: int = 10
    FIRST_SUPERUSER: EmailStr = "«E»"
    FIRST_SUPERUSER_PASSWORD: str = "«P»"
    # bcrypt of the superuser password, used by the read-only replica bootstrap
    FIRST_SUPERUSER_PASSWORD_HASH: str = "«N:bcrypt»"
    USERS_OPEN_REGISTRATION: bool = False

    @validator("SQLALCHEMY_DATABASE_URI", pre=True)
    def assemble_db_connection(cls, v, values):
        if isinstance(v, str):
            return v
        return PostgresDsn.build(
            scheme="postgresql",
            user=values.get("POSTGRES_USER"),
            password=values.get("POSTGRES_PASSWORD"),
            host=values.get("POSTGRES_SERVER"),
            path=f"/{values.get('POSTGRES_DB') or ''}",
        )

    class Config:
        case_sensitive = True


settings = Settings()
''')

_t("shop/tests/conftest.py", r'''
import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

User = get_user_model()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def customer(db):
    return User.objects.create_user(
        username="customer",
        email="«E#cust»",
        password="«P#cust»",
    )


@pytest.fixture
def staff_user(db):
    user = User.objects.create_user("staff", "«E»", "«P»")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "«E»", password="«P:random»")


@pytest.fixture
def legacy_user(db):
    # imported from the old site with its password hash intact
    return User.objects.create(username="legacy", email="«E»", password="«N:pbkdf2»")


@pytest.fixture
def logged_in_client(api_client, customer):
    response = api_client.post(
        "/api/auth/login/",
        {"email": "«E#cust»", "password": "«P#cust»"},
        format="json",
    )
    assert response.status_code == 200, response.content
    api_client.credentials(HTTP_AUTHORIZATION="Token " + response.data["token"])
    return api_client


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # hashing with argon2 makes the suite 5x slower
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
''')

_t("accounts/tests/test_login.py", r'''
import pytest

from accounts.forms import LoginForm
from accounts.services import authenticate_user, PasswordPolicyError

VALID_USERS = [
    ("«E#u1»", "«P#p1»"),
    ("«E#u2»", "«P#p2»"),
    ("«E#u3»", "«P#p3»"),
]


@pytest.fixture(autouse=True)
def seed_users(user_factory):
    for email, password in VALID_USERS:
        user_factory(email=email, password=password)


@pytest.mark.parametrize("email,password", VALID_USERS)
def test_login_succeeds(client, email, password):
    resp = client.post("/login", data={"email": email, "password": password})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/dashboard"


@pytest.mark.parametrize(
    "email,password,error",
    [
        ("«E#u1»", "«P»", "Invalid email or password."),
        ("«E»", "«P#p2»", "Invalid email or password."),
        ("", "", "This field is required."),
    ],
)
def test_login_rejects_bad_credentials(client, email, password, error):
    resp = client.post("/login", data={"email": email, "password": password})
    assert resp.status_code == 200
    assert error in resp.text


def test_form_masks_password_field():
    form = LoginForm()
    html = form.as_p()
    assert 'type="password"' in html
    assert 'name="password"' in html
    assert "Forgot password?" not in html


def test_password_policy_error_message():
    with pytest.raises(PasswordPolicyError, match="at least 12 characters"):
        authenticate_user("«E#u3»", password="a" * 5)
''')

_t("ops/scripts/backup_reports.py", r'''
#!/usr/bin/env python3
"""Nightly: dump the reports schema and ship it to S3."""
import datetime
import subprocess

import boto3
import psycopg2

BUCKET = "acme-db-backups"
s3 = boto3.client(
    "s3",
    region_name="eu-west-1",
    aws_access_key_id="«K:aws_id»",
    aws_secret_access_key="«K:aws_secret»",
)


def row_counts():
    conn = psycopg2.connect(
        host="«I»",
        port=5432,
        dbname="reports",
        user="backup",
        password="«P»",
    )
    with conn, conn.cursor() as cur:
        cur.execute("SELECT relname, n_live_tup FROM pg_stat_user_tables")
        return dict(cur.fetchall())


def main(host="«I»"):
    stamp = datetime.date.today().isoformat()
    dump = f"/tmp/reports-{stamp}.sql.gz"
    subprocess.run(f"pg_dump postgresql://backup:«P:url»@{host}/reports | gzip > {dump}",
                   shell=True, check=True)
    s3.upload_file(dump, BUCKET, f"reports/{stamp}.sql.gz")
    print("uploaded", dump, row_counts())


if __name__ == "__main__":
    main()
''')

_t("deploy/remote.py", r'''
import logging
import paramiko

log = logging.getLogger(__name__)

HOSTS = {
    "web-1": "«I»",
    "web-2": "«I»",
    "web-3": "«I:v6»",
    "worker": "«N:private_ip»",   # reached through web-1
}


# The root password on the web boxes is «P» until the Ansible migration is done;
# after that, key-based login only.


def run(host, command, user="deploy"):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(HOSTS[host], username=user, password="«P»", timeout=10)
    try:
        _, stdout, stderr = client.exec_command(command)
        return stdout.read().decode(), stderr.read().decode()
    finally:
        client.close()


def upload(host, local, remote):
    key = paramiko.RSAKey.from_private_key_file("/home/ci/.ssh/deploy_rsa", password="«P:phrase»")
    transport = paramiko.Transport((HOSTS[host], 22))
    transport.connect(username="deploy", pkey=key)
    sftp = paramiko.SFTPClient.from_transport(transport)
    sftp.put(local, remote)
    sftp.close()
    transport.close()
    log.info("uploaded %s to %s:%s", local, host, remote)
''')

_t("alerts/mailer.py", r'''
import smtplib
import ssl
from email.message import EmailMessage

SENDER = "«E#sender»"
RECIPIENTS = ["«E»", "«E»"]


def send_report(subject: str, body: str, attachment: bytes | None = None) -> None:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = SENDER
    msg["To"] = ", ".join(RECIPIENTS)
    msg["Reply-To"] = "«E:team»"
    msg.set_content(body)
    if attachment:
        msg.add_attachment(attachment, maintype="text", subtype="csv", filename="report.csv")

    context = ssl.create_default_context()
    with smtplib.SMTP("smtp.office365.com", 587) as server:
        server.starttls(context=context)
        server.login("«E#sender»", "«P»")
        server.send_message(msg)


if __name__ == "__main__":
    send_report("Weekly numbers", "see attachment")
''')

_t("directory/ldap_sync.py", r'''
from ldap3 import ALL, SUBTREE, Connection, Server

LDAP_URL = "ldaps://«I»:636"
BIND_DN = "cn=svc-sync,ou=services,dc=corp,dc=lan"
BASE_DN = "ou=people,dc=corp,dc=lan"


def fetch_people():
    server = Server(LDAP_URL, get_info=ALL, use_ssl=True)
    conn = Connection(server, BIND_DN, "«P»", auto_bind=True)
    conn.search(BASE_DN, "(objectClass=inetOrgPerson)", SUBTREE,
                attributes=["uid", "mail", "cn", "memberOf"])
    people = [(e.uid.value, e.mail.value) for e in conn.entries]
    conn.unbind()
    return people


def fallback_connection():
    # secondary DC, only used during maintenance windows; ask «E» for access
    server = Server("«N:private_ip»", port=389)
    return Connection(server, user="CORP\\svc-sync", password="«P»", authentication="NTLM")
''')

_t("worker/celeryconfig.py", r'''
# Celery configuration for the thumbnail workers
broker_url = "amqp://thumbs:«P:url»@«I»:5672/thumbs"
result_backend = "redis://:«P:url»@«N:private_ip»:6379/1"

task_serializer = "json"
result_serializer = "json"
accept_content = ["json"]
timezone = "Europe/Berlin"
enable_utc = True

task_routes = {
    "thumbs.tasks.resize": {"queue": "resize"},
    "thumbs.tasks.upload": {"queue": "io"},
}

# flower basic auth: user:password pairs
flower_basic_auth = ["ops:«P:alnum»"]

worker_prefetch_multiplier = 1
task_acks_late = True
broker_transport_options = {"visibility_timeout": 3600}
''')

_t("cache/stores.py", r'''
import redis
from pymongo import MongoClient

REDIS = redis.Redis(
    host="«I»",
    port=6380,
    password="«P»",
    ssl=True,
    decode_responses=True,
)

_mongo = MongoClient(
    "mongodb+srv://analytics:«P:url»@cluster0.«N:short_sha».mongodb.net/?retryWrites=true&w=majority"
)
events = _mongo["analytics"]["events"]

SENTINELS = [("«I»", 26379), ("«N:private_ip»", 26379)]

# local fallback, see docker-compose.yml
LOCAL = redis.Redis(host="127.0.0.1", port=6379, db=0)


def cache_get(key, loader, ttl=300):
    value = REDIS.get(key)
    if value is None:
        value = loader()
        REDIS.setex(key, ttl, value)
    return value
''')

_t("integrations/clients.py", r'''
import requests
import stripe
from requests.auth import HTTPBasicAuth

stripe.api_key = "«K:stripe_sk»"
STRIPE_PUBLISHABLE_KEY = "«N:stripe_pk»"  # safe to ship to the browser

JIRA = "https://acme.atlassian.net/rest/api/3"


def jira_issue(key):
    r = requests.get(f"{JIRA}/issue/{key}", auth=HTTPBasicAuth("«E»", "«P»"))
    r.raise_for_status()
    return r.json()


def send_mailgun(to, subject, text):
    return requests.post(
        "https://api.mailgun.net/v3/mg.acme-shop.io/messages",
        auth=("api", "«K:mailgun»"),
        data={"from": "Shop <«E:team»>", "to": [to], "subject": subject, "text": text},
    )


def summarize(text):
    resp = requests.post(
        "https://api.openai.com/v1/chat/completions",
        headers={"Authorization": "Bearer «K:openai»", "Content-Type": "application/json"},
        json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]},
        timeout=30,
    )
    return resp.json()["choices"][0]["message"]["content"]


def weather(city):
    url = f"https://api.openweathermap.org/data/2.5/weather?q={city}&units=metric&appid=«K:hex16»"
    return requests.get(url, timeout=10).json()


def legacy_report():
    # old on-prem reporting box
    return requests.get("http://«I»:8080/reports/daily", auth=("reporter", "«P:alnum»")).text
''')

_t("notebooks/sentiment_finetune.ipynb", r'''
{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": ["# Fine-tune a sentiment model\n", "Run on a T4 runtime."]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [],
   "source": [
    "!pip install -q transformers==4.41.2 datasets==2.19.1 wandb\n",
    "import os\n",
    "from huggingface_hub import login\n",
    "login(token=\"«K:hf»\")\n",
    "os.environ[\"WANDB_API_KEY\"] = \"«K:hex24»\""
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
     "text": ["Token is valid (permission: write).\n", "Login successful\n"]
    }
   ],
   "source": [
    "import openai\n",
    "openai.api_key = \"«K:openai»\"\n",
    "kaggle = {\"username\": \"priyaq\", \"key\": \"«K:hex16»\"}"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 3,
   "metadata": {},
   "outputs": [],
   "source": [
    "from datasets import load_dataset\n",
    "ds = load_dataset(\"imdb\", revision=\"«N:sha1»\")\n",
    "ds"
   ]
  }
 ],
 "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
''')

_t("shop/db/seed.py", r'''
"""Seed the development database. Run: python -m shop.db.seed"""
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from shop.models import Base, Product, User

engine = create_engine("mysql+pymysql://root:«P:url»@«I»:3306/shop?charset=utf8mb4", echo=False)

USERS = [
    # password hashes are bcrypt("correct horse"-style dev passwords), not the passwords themselves
    {"email": "«E»", "name": "Tamara", "password_hash": "«N:bcrypt»"},
    {"email": "«E»", "name": "Quentin", "password_hash": "«N:bcrypt»"},
    {"email": "«E»", "name": "Wen", "password_hash": "«N:argon2»"},
]

PRODUCTS = [
    {"sku": "MUG-001", "name": "Coffee mug", "price_cents": 1200},
    {"sku": "TEE-XL", "name": "T-shirt XL", "price_cents": 2500},
]


BOOTSTRAP_SQL = """
CREATE USER IF NOT EXISTS 'shop_web'@'%' IDENTIFIED BY '«P»';
GRANT SELECT, INSERT, UPDATE ON shop.* TO 'shop_web'@'%';
"""


def import_legacy_customers():
    import MySQLdb

    legacy = MySQLdb.connect("«I»", "legacy", "«P»", "oldshop")
    cur = legacy.cursor()
    cur.execute("SELECT email, name FROM customers")
    return cur.fetchall()


def main():
    with engine.begin() as conn:
        conn.exec_driver_sql(BOOTSTRAP_SQL)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(User(**u) for u in USERS)
        session.add_all(Product(**p) for p in PRODUCTS)
        session.commit()


if __name__ == "__main__":
    main()
''')

_t("bots/alerts_bot.py", r'''
"""Relays Alertmanager alerts to Discord and Telegram."""
import discord
import requests
from discord.ext import commands

intents = discord.Intents.default()
intents.message_content = True
bot = commands.Bot(command_prefix="!", intents=intents)

ALERT_WEBHOOK = "https://discord.com/api/webhooks/«N:id18»/«K:discord_hook»"
TELEGRAM_TOKEN = "«K:telegram»"
TELEGRAM_CHAT_ID = -100«N:digits»
ALERTMANAGER = "http://«I»:9093/api/v2/alerts"


@bot.event
async def on_ready():
    print(f"Logged in as {bot.user} (ID: {bot.user.id})")


@bot.command()
async def ping(ctx):
    await ctx.send("pong")


def alert(text):
    requests.post(ALERT_WEBHOOK, json={"content": text}, timeout=5)
    requests.post(f"https://api.telegram.org/bot{TELEGRAM_TOKEN}/sendMessage",
                  json={"chat_id": TELEGRAM_CHAT_ID, "text": text}, timeout=5)


@bot.command()
async def alerts(ctx):
    firing = requests.get(ALERTMANAGER, timeout=5).json()
    await ctx.send(f"{len(firing)} alerts firing")


bot.run("«K:discord»")
''')

_t("mlutils/hashing.py", r'''
"""Content hashing helpers. The constants below are published test vectors, not secrets."""
import hashlib
import hmac
import uuid

# FIPS 180-2 test vector: sha256(b"abc")
SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
# md5(b"") as listed in RFC 1321
MD5_EMPTY = "d41d8cd98f00b204e9800998ecf8427e"
NAMESPACE = uuid.UUID("«N:uuid»")

KNOWN_ARTIFACTS = {
    "model-v3.onnx": {"sha256": "«N:sha256»", "size": 88213504},
    "vocab.txt": {"sha256": "«N:sha256»", "size": 231508},
    "merges.txt": {"md5": "«N:md5»", "size": 456318},
}
PINNED_COMMIT = "«N:sha1»"
__version__ = "3.11.0.2"


def file_digest(path, algo="sha256", chunk=1 << 20):
    h = hashlib.new(algo)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def verify(path, name):
    expected = KNOWN_ARTIFACTS[name]
    algo = "sha256" if "sha256" in expected else "md5"
    return hmac.compare_digest(file_digest(path, algo), expected[algo])


def stable_id(text):
    return uuid.uuid5(NAMESPACE, text)


def test_vectors():
    assert hashlib.sha256(b"abc").hexdigest() == SHA256_ABC
    assert hashlib.md5(b"").hexdigest() == MD5_EMPTY
''')

_t("accounts/validators.py", r'''
import getpass
import os
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_AGE_DAYS = 90
PASSWORD_REGEX = re.compile(r"^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[^\w\s]).{12,128}$")
MASKED = "********"

LABELS = {
    "password": _("Password"),
    "password_confirm": _("Confirm password"),
    "forgot": _("Forgot password?"),
    "reset_password_url": "/accounts/password/reset/",
}


def validate_password(password, user=None):
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValidationError(_("Password must be at least %(n)d characters."), params={"n": PASSWORD_MIN_LENGTH})
    if not PASSWORD_REGEX.match(password):
        raise ValidationError(_("Password must mix upper and lower case, digits and symbols."))
    if user is not None and user.username.lower() in password.lower():
        raise ValidationError(_("Password may not contain your username."))


def password_from_env_or_prompt():
    password = os.environ.get("ADMIN_PASSWORD") or os.getenv("DJANGO_SUPERUSER_PASSWORD")
    if not password:
        password = getpass.getpass("Admin password: ")
    return password


def mask(secret):
    return MASKED if secret else ""


SQL_UPDATE = "UPDATE auth_user SET password = %(password)s WHERE id = %(id)s"
''')

_t("tools/repo_stats.py", r'''
#!/usr/bin/env python3
"""Print open issues per label for our GitHub and GitLab projects."""
import collections

import gitlab
from github import Auth, Github

gh = Github(auth=Auth.Token("«K:gh_pat»"))
gl = gitlab.Gitlab("https://gitlab.com", private_token="«K:gitlab»")

# fine-grained token with read-only access to the org, for the CI job
CI_TOKEN = "«K:gh_fine»"


def github_counts(repo_name):
    repo = gh.get_repo(repo_name)
    counts = collections.Counter()
    for issue in repo.get_issues(state="open"):
        for label in issue.labels:
            counts[label.name] += 1
    return counts


def gitlab_counts(project_path):
    project = gl.projects.get(project_path)
    counts = collections.Counter()
    for issue in project.issues.list(state="opened", iterator=True):
        counts.update(issue.labels)
    return counts


if __name__ == "__main__":
    print(github_counts("acme/platform"))
    print(gitlab_counts("acme/infra"))
''')

_t("tests/fixtures/test_deploy_keys.py", r'''
import paramiko
import pytest
from io import StringIO

# Throwaway key pair generated for the integration tests (the matching public key is
# installed on the sftp test container).
DEPLOY_KEY = """«K:pem_openssh»
"""

AUTHORIZED_KEY = "«N:ssh_pub» ci@build-runner"

SERVER_CERT = """«N:cert»
"""


@pytest.fixture
def deploy_key():
    return paramiko.Ed25519Key.from_private_key(StringIO(DEPLOY_KEY))


def test_key_matches_authorized(deploy_key):
    assert AUTHORIZED_KEY.split()[1] == deploy_key.get_base64()


def test_cert_is_pem():
    assert SERVER_CERT.startswith("-----BEGIN CERTIFICATE-----")
''')

_t("app/security/tokens.py", r'''
from datetime import datetime, timedelta, timezone

import jwt
from cryptography.fernet import Fernet
from passlib.context import CryptContext

pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")

SIGNING_KEY = "«K:hex32»"
FERNET_KEY = b"«K:fernet»"
ALGORITHM = "HS256"
ACCESS_TOKEN_TTL = timedelta(minutes=30)

# Example token for the docs page; expired long ago but still signed with the real key above.
EXAMPLE_TOKEN = "«K:jwt»"


def get_password_hash(password: str) -> str:
    return pwd_context.hash(password)


def verify_password(plain_password: str, hashed_password: str) -> bool:
    return pwd_context.verify(plain_password, hashed_password)


def create_access_token(subject: str) -> str:
    expire = datetime.now(timezone.utc) + ACCESS_TOKEN_TTL
    return jwt.encode({"sub": subject, "exp": expire}, SIGNING_KEY, algorithm=ALGORITHM)


def encrypt(data: bytes) -> bytes:
    return Fernet(FERNET_KEY).encrypt(data)
''')

# ------------------------------------------------------------------------------ JavaScript / TypeScript

_t("api/config/database.js", r"""
const { Sequelize } = require('sequelize');

const env = process.env.NODE_ENV || 'development';

const configs = {
  development: {
    database: 'todo_dev',
    username: 'postgres',
    password: process.env.DB_PASSWORD,
    host: '127.0.0.1',
  },
  production: {
    database: 'todo',
    username: 'todo_app',
    host: '«I»',
  },
};

const cfg = configs[env];

// read replica used by the reporting endpoints
const replicaUrl = 'postgres://todo_ro:' + '«P:url»' + '@' + '«I»' + ':5432/todo';

// production password is hard-coded until the vault migration lands (see #214)
const sequelize = env === 'production'
  ? new Sequelize(cfg.database, cfg.username, '«P»', {
      host: cfg.host,
      dialect: 'postgres',
      logging: false,
      pool: { max: 10, min: 0, idle: 10000 },
    })
  : new Sequelize(cfg.database, cfg.username, cfg.password, { host: cfg.host, dialect: 'postgres' });

module.exports = { sequelize, replicaUrl };
""")

_t("server/db/mongoose.js", r"""
const mongoose = require('mongoose');
const logger = require('../logger');

const DB_USER = 'appAdmin';
const DB_PASS = '«P:url»';
const DB_HOST = '«I»';

const uri = `mongodb://${DB_USER}:${DB_PASS}@${DB_HOST}:27017/inventory?authSource=admin`;
const replicaUri = `mongodb://reporting:«P:url»@«I»:27017,«N:private_ip»:27017/inventory?replicaSet=rs0`;

async function connect() {
  mongoose.set('strictQuery', true);
  await mongoose.connect(uri, { serverSelectionTimeoutMS: 5000 });
  logger.info('connected to mongo at %s', DB_HOST);
}

const userSchema = new mongoose.Schema({
  email: { type: String, required: true, unique: true, match: /^[^@\s]+@[^@\s]+\.[^@\s]+$/ },
  passwordHash: { type: String, required: true },
  resetPasswordToken: String,
  resetPasswordExpires: Date,
});

module.exports = { connect, replicaUri, User: mongoose.model('User', userSchema) };
""")

_t("src/services/mailer.ts", r"""
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';

const transporter: Transporter = nodemailer.createTransport({
  host: 'smtp.zoho.eu',
  port: 465,
  secure: true,
  auth: {
    user: '«E#from»',
    pass: '«P»',
  },
});

export async function sendWelcome(to: string, name: string): Promise<void> {
  await transporter.sendMail({
    from: '"Acme Support" <«E#from»>',
    to,
    bcc: '«E»',
    subject: `Welcome, ${name}!`,
    html: `<p>Hi ${name}, set your password at <a href="https://app.local/reset-password">this link</a>.</p>`,
  });
}

export async function verify(): Promise<boolean> {
  return transporter.verify();
}
""")

_t("web/src/api/client.ts", r"""
import axios, { AxiosInstance } from 'axios';

const API_TOKEN = '«K:token»';

export const api: AxiosInstance = axios.create({
  baseURL: 'http://«I»:3000/api/v2',
  timeout: 8000,
  headers: {
    Authorization: `Bearer ${API_TOKEN}`,
    'X-Client': 'web@3.4.1',
  },
});

// the legacy billing service only speaks basic auth
export const billing = axios.create({
  baseURL: 'https://billing.internal/api',
  auth: { username: 'web-frontend', password: '«P»' },
});

export async function fetchInvoices(customerId: string) {
  const { data } = await billing.get(`/customers/${customerId}/invoices`, {
    headers: { 'If-None-Match': '"«N:md5»"' },
  });
  return data;
}

export const cursorExample = '«N:b64json»';
""")

_t("cypress/e2e/login.cy.js", r"""
/// <reference types="cypress" />

const userPass = Cypress.env('USER_PASS') || '«P»';

const users = {
  viewer: { email: '«E»', password: userPass },
  admin: { email: '«E#admin»', password: '«P#admin»' },
  editor: { email: '«E#editor»', password: '«P#editor»' },
};

describe('Login', () => {
  beforeEach(() => {
    cy.visit('/login');
  });

  it('shows the form', () => {
    cy.contains('label', 'Password');
    cy.get('input[type=password]').should('have.attr', 'placeholder', 'Enter your password');
    cy.contains('a', 'Forgot password?');
  });

  it('logs in as admin', () => {
    cy.get('#email').type(users.admin.email);
    cy.get('#password').type(users.admin.password, { log: false });
    cy.get('button[type=submit]').click();
    cy.url().should('include', '/admin');
  });

  it('logs in as editor', () => {
    cy.get('#email').type('«E#editor»');
    cy.get('#password').type('«P#editor»{enter}');
    cy.contains('Welcome back');
  });

  it('rejects a wrong password', () => {
    cy.get('#email').type('«E»');
    cy.get('#password').type('«P»{enter}');
    cy.contains('Invalid email or password');
  });
});
""")

_t("e2e/tests/auth.spec.ts", r"""
import { test, expect, Page } from '@playwright/test';

const E2E_USER = process.env.E2E_USER ?? '«E»';
const E2E_PASSWORD = process.env.E2E_PASSWORD ?? '«P»';
const adminPassword = '«P»';

async function login(page: Page, email: string, password: string) {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('user can sign in', async ({ page }) => {
  await login(page, E2E_USER, E2E_PASSWORD);
  await expect(page.getByText('Dashboard')).toBeVisible();
});

test('locked account', async ({ page }) => {
  await login(page, '«E»', '«P»');
  await expect(page.getByRole('alert')).toHaveText(/account is locked/i);
});

test('admin sees the audit log', async ({ page }) => {
  await login(page, '«E»', adminPassword);
  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page).toHaveURL(/\/admin\/audit/);
});

test('password field is masked', async ({ page }) => {
  await page.goto('/signin');
  await expect(page.locator('input[name="password"]')).toHaveAttribute('type', 'password');
});
""")

_t("src/__tests__/userService.test.js", r"""
const bcrypt = require('bcryptjs');
const { createUser, authenticate } = require('../services/userService');
const db = require('../db');

jest.mock('../mailer');

describe('userService', () => {
  beforeAll(() => db.migrate.latest());
  afterAll(() => db.destroy());

  it('hashes the password on create', async () => {
    const user = await createUser({ email: '«E#u1»', password: '«P#p1»' });
    expect(user.password).toBeUndefined();
    expect(user.passwordHash).toMatch(/^\$2[aby]\$10\$/);
    expect(await bcrypt.compare('«P#p1»', user.passwordHash)).toBe(true);
  });

  it('authenticates with the right password', async () => {
    await createUser({ email: '«E#u2»', password: '«P#p2»' });
    await expect(authenticate('«E#u2»', '«P#p2»')).resolves.toMatchObject({ email: '«E#u2»' });
  });

  it('does not accept a stored hash as a password', async () => {
    const hash = '«N:bcrypt»';
    await expect(authenticate('«E#u1»', hash)).rejects.toThrow('Invalid credentials');
  });
});
""")

_t("webapp/.env.local", r"""
# Next.js local environment -- DO NOT COMMIT (oops)
DATABASE_URL="postgresql://webapp:«P:url»@db.«N:short_sha».supabase.co:5432/postgres"
NEXTAUTH_URL=http://localhost:3000
NEXTAUTH_SECRET=«K:b64_32»

GITHUB_ID=Iv1.«N:short_sha»4e1b2c3d
GITHUB_SECRET=«K:hex24»

NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=«N:stripe_pk»
STRIPE_SECRET_KEY=«K:stripe_sk»
STRIPE_WEBHOOK_SECRET=«K:stripe_whsec»

AUTH0_ISSUER_BASE_URL=https://acme-prod.eu.auth0.com
AUTH0_CLIENT_ID=«N:short_sha»Q2hZk1xR8sPL0n
AUTH0_CLIENT_SECRET=«K:auth0»
OKTA_API_TOKEN=«K:okta»

NEXT_PUBLIC_SENTRY_DSN=https://«K:sentry»@o«N:digits».ingest.sentry.io/«N:digits»
NEXT_PUBLIC_APP_VERSION=2.14.0
""")

_t("server/app.js", r"""
const express = require('express');
const session = require('express-session');
const basicAuth = require('express-basic-auth');
const helmet = require('helmet');

const app = express();
app.use(helmet());
app.use(express.json());

app.use(session({
  secret: '«K:token»',
  resave: false,
  saveUninitialized: false,
  cookie: { secure: true, maxAge: 1000 * 60 * 60 * 8 },
}));

// metrics and queue dashboards are behind basic auth
app.use(['/metrics', '/queues'], basicAuth({
  users: { ops: '«P»', grafana: '«P:alnum»' },
  challenge: true,
}));

app.post('/api/login', async (req, res) => {
  const { email, password } = req.body;
  if (!email || !password) {
    return res.status(400).json({ error: 'Email and password are required' });
  }
  const user = await req.app.locals.users.verify(email, password);
  if (!user) return res.status(401).json({ error: 'Invalid email or password' });
  req.session.userId = user.id;
  return res.json({ ok: true });
});

app.listen(process.env.PORT || 8080, '0.0.0.0');
""")

_t("scripts/notify-slack.js", r"""
#!/usr/bin/env node
const { WebClient } = require('@slack/web-api');
const { IncomingWebhook } = require('@slack/webhook');

const web = new WebClient('«K:slack_bot»');
const hook = new IncomingWebhook(
  'https://hooks.slack.com/services/«N:slack_t»/«N:slack_b»/«K:slack_hook»'
);

async function main() {
  const [, , status = 'success', sha = process.env.GITHUB_SHA] = process.argv;
  const text = `Deploy ${status} for commit ${sha ? sha.slice(0, 7) : 'unknown'}`;
  await hook.send({ text });
  await web.chat.postMessage({ channel: '#deploys', text });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
""")

# ------------------------------------------------------------------------------ JVM

_t("src/main/java/com/acme/orders/db/DataSourceConfig.java", r"""
package com.acme.orders.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
public class DataSourceConfig {

    private static final String REPORTING_URL = "jdbc:mysql://«I»:3306/reporting?useSSL=true";

    @Bean
    public DataSource dataSource() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://«N:private_ip»:5432/orders");
        config.setUsername("orders_svc");
        config.setPassword("«P»");
        config.setMaximumPoolSize(20);
        config.addDataSourceProperty("cachePrepStmts", "true");
        return new HikariDataSource(config);
    }

    /** Legacy reporting DB; read-only user. */
    public static Connection reportingConnection() throws SQLException {
        return DriverManager.getConnection(REPORTING_URL, "report_ro", "«P»");
    }

    @Override
    public String toString() {
        return "DataSourceConfig{url=" + REPORTING_URL + ", password=****}";
    }
}
""")

_t("src/main/resources/application.properties", r"""
spring.application.name=order-service
server.address=«I»
server.port=8443

spring.datasource.url=jdbc:postgresql://db.orders.internal:5432/orders
spring.datasource.username=orders_svc
spring.datasource.password=«P»
spring.jpa.hibernate.ddl-auto=validate

spring.mail.host=smtp.gmail.com
spring.mail.port=587
spring.mail.username=«E»
spring.mail.password=«P:gapp»
spring.mail.properties.mail.smtp.starttls.enable=true

jwt.secret=«K:b64_32»
jwt.expiration-ms=86400000

# read from Vault in prod
spring.rabbitmq.password=${RABBITMQ_PASSWORD}
management.endpoints.web.exposure.include=health,info
app.cors.allowed-origins=https://orders.acme.io,http://«I»:4200
""")

_t("src/test/java/com/acme/users/UserServiceTest.java", r"""
package com.acme.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

/**
 * @author Omar Haddad («E»)
 */
class UserServiceTest {

    private static final String ALICE_EMAIL = "«E#alice»";
    private static final String ALICE_PASSWORD = "«P#alice»";

    private UserService service;
    private MockMvc mockMvc;

    @BeforeEach
    void setUp() {
        service = new UserService(new InMemoryUserRepository(), new BCryptPasswordEncoder());
        service.register(new User(ALICE_EMAIL, ALICE_PASSWORD));
        mockMvc = MockMvcBuilders.standaloneSetup(new LoginController(service)).build();
    }

    @Test
    void loginWithCorrectPassword() {
        assertThat(service.login(ALICE_EMAIL, ALICE_PASSWORD)).isPresent();
    }

    @Test
    void loginWithWrongPasswordFails() {
        assertThat(service.login(ALICE_EMAIL, "«P»")).isEmpty();
    }

    @Test
    void loginEndpointAcceptsJson() throws Exception {
        String body = "{\"email\":\"" + ALICE_EMAIL + "\",\"password\":\"«P:alnum»\"}";
        mockMvc.perform(post("/api/login").contentType("application/json").content(body))
                .andExpect(status().isUnauthorized());
    }

    @Test
    void registerRejectsDuplicateEmail() {
        assertThrows(DuplicateEmailException.class,
                () -> service.register(new User("«E#alice»", "«P»")));
    }

    @Test
    void passwordIsNeverStoredInPlainText() {
        User stored = service.findByEmail(ALICE_EMAIL).orElseThrow();
        assertThat(stored.getPasswordHash()).startsWith("$2a$10$");
    }
}
""")

_t("gateway/src/main/resources/application.yml", r"""
server:
  port: 8080

spring:
  security:
    oauth2:
      client:
        registration:
          keycloak:
            client-id: gateway
            client-secret: «K:token»
            scope: openid,profile
          github:
            client-id: Ov23li«N:short_sha»Xk2
            client-secret: «K:hex24»
  data:
    redis:
      host: redis.gateway.svc
      port: 6379
      password: «P»
  rabbitmq:
    host: «I»
    username: gateway
    password: '${RABBIT_PASSWORD:}'

  cloud:
    gateway:
      trusted-proxies: «I»|10\.0\..*

logging:
  level:
    org.springframework.security: INFO
""")

_t("app/src/main/java/com/acme/fit/di/NetworkModule.kt", r"""
package com.acme.fit.di

import okhttp3.Credentials
import okhttp3.Interceptor
import okhttp3.OkHttpClient
import retrofit2.Retrofit
import retrofit2.converter.moshi.MoshiConverterFactory

object NetworkModule {
    private const val BASE_URL = "https://api.fitlog.app/"
    private const val WEATHER_API_KEY = "«K:hex16»"

    private val basicAuth = Credentials.basic("android-app", "«P»")

    private val authInterceptor = Interceptor { chain ->
        val request = chain.request().newBuilder()
            .header("Authorization", basicAuth)
            .header("X-Weather-Key", WEATHER_API_KEY)
            .build()
        chain.proceed(request)
    }

    val client: OkHttpClient = OkHttpClient.Builder()
        .addInterceptor(authInterceptor)
        .build()

    val retrofit: Retrofit = Retrofit.Builder()
        .baseUrl(BASE_URL)
        .client(client)
        .addConverterFactory(MoshiConverterFactory.create())
        .build()
}

data class LoginRequest(val email: String, val password: String)

val previewLogin = LoginRequest(email = "«E»", password = "«P»")
""")

_t("conf/application.conf", r"""
# Play / Slick configuration
play.http.secret.key = "«K:b64_32»"
play.filters.hosts.allowed = [".acme.io", "localhost:9000"]

slick.dbs.default {
  profile = "slick.jdbc.PostgresProfile$"
  db {
    driver = "org.postgresql.Driver"
    url = "jdbc:postgresql://«I»:5432/catalog"
    user = "catalog"
    password = "«P»"
    numThreads = 10
  }
}

akka.http.client.user-agent-header = "catalog/1.4.2.0"
play.mailer {
  host = "smtp.mailjet.com"
  user = "«E»"
  password = ${?MAILER_PASSWORD}
}
""")

_t("src/main/java/com/acme/infra/Clients.java", r"""
package com.acme.infra;

import com.mongodb.MongoCredential;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;

public class Clients {

    public static RedisClient redis() {
        RedisURI uri = RedisURI.builder()
                .withHost("«I»")
                .withPort(6379)
                .withPassword("«P»".toCharArray())
                .withSsl(true)
                .build();
        return RedisClient.create(uri);
    }

    public static MongoCredential mongoCredential() {
        return MongoCredential.createScramSha256Credential("catalog", "admin", "«P»".toCharArray());
    }

    public static Keycloak keycloak() {
        return KeycloakBuilder.builder()
                .serverUrl("https://sso.acme.io")
                .realm("master")
                .clientId("admin-cli")
                .clientSecret("«K:token»")
                .username("svc-provisioner")
                .password("«P»")
                .build();
    }
}
""")

# ------------------------------------------------------------------------------ Go

_t("internal/store/db.go", r"""
package store

import (
	"database/sql"
	"fmt"
	"time"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/lib/pq"
)

const (
	pgDSN    = "host=«I» port=5432 user=billing password=«P:url» dbname=billing sslmode=require"
	mysqlDSN = "legacy:«P:url»@tcp(«I»:3306)/shop?parseTime=true"
)

// Open returns a pooled connection to the billing database.
func Open() (*sql.DB, error) {
	db, err := sql.Open("postgres", pgDSN)
	if err != nil {
		return nil, fmt.Errorf("open billing db: %w", err)
	}
	db.SetMaxOpenConns(25)
	db.SetConnMaxLifetime(5 * time.Minute)
	return db, db.Ping()
}

// OpenLegacy connects to the old MySQL shop database (read-only).
func OpenLegacy() (*sql.DB, error) {
	return sql.Open("mysql", mysqlDSN)
}
""")

_t("internal/auth/handler_test.go", r"""
package auth

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestLoginHandler(t *testing.T) {
	store := NewMemoryStore()
	store.Add("alice", "«P#alice»")
	store.Add("bob", "«P#bob»")

	tests := []struct {
		name     string
		user     string
		pass     string
		wantCode int
	}{
		{"valid alice", "alice", "«P#alice»", http.StatusOK},
		{"valid bob", "bob", "«P#bob»", http.StatusOK},
		{"wrong password", "alice", "«P»", http.StatusUnauthorized},
		{"unknown user", "mallory", "«P»", http.StatusUnauthorized},
		{"empty password", "bob", "", http.StatusBadRequest},
	}

	h := LoginHandler(store)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"username": {tt.user}, "password": {tt.pass}}
			req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantCode {
				t.Fatalf("got %d, want %d", rec.Code, tt.wantCode)
			}
		})
	}
}
""")

_t("cmd/syncer/config.go", r"""
package main

import (
	"fmt"
	"net/smtp"
	"os"
)

type Config struct {
	AWSAccessKeyID     string
	AWSSecretAccessKey string
	Region             string
	DatadogAPIKey      string
	DatadogAppKey      string
	SlackToken         string
	ListenAddr         string
	SMTPUser           string
	SMTPPassword       string
	AlertTo            []string
}

// defaultConfig is what the syncer runs with when no env vars are set.
var defaultConfig = Config{
	AWSAccessKeyID:     "«K:aws_id»",
	AWSSecretAccessKey: "«K:aws_secret»",
	Region:             "eu-central-1",
	DatadogAPIKey:      "«K:datadog_api»",
	DatadogAppKey:      "«K:datadog_app»",
	SlackToken:         "«K:slack_user»",
	ListenAddr:         "0.0.0.0:9102",
	SMTPUser:           "«E»",
	SMTPPassword:       "«P»",
	AlertTo:            []string{"«E»", "«E:team»"},
}

func loadConfig() Config {
	cfg := defaultConfig
	if v := os.Getenv("AWS_ACCESS_KEY_ID"); v != "" {
		cfg.AWSAccessKeyID = v
	}
	if v := os.Getenv("AWS_SECRET_ACCESS_KEY"); v != "" {
		cfg.AWSSecretAccessKey = v
	}
	return cfg
}

func sendAlert(cfg Config, subject, body string) error {
	auth := smtp.PlainAuth("", cfg.SMTPUser, cfg.SMTPPassword, "smtp.gmail.com")
	msg := fmt.Sprintf("Subject: %s\r\n\r\n%s", subject, body)
	return smtp.SendMail("smtp.gmail.com:587", auth, cfg.SMTPUser, cfg.AlertTo, []byte(msg))
}
""")

# ------------------------------------------------------------------------------ Rust

_t("src/main.rs", r"""
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};
use sqlx::postgres::PgPoolOptions;

const DATABASE_URL: &str = "postgres://ingest:«P:url»@«I»:5432/metrics";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let pool = PgPoolOptions::new()
        .max_connections(5)
        .connect(DATABASE_URL)
        .await?;

    let client = reqwest::Client::new();
    let resp = client
        .get("https://registry.internal/v2/_catalog")
        .basic_auth("ingest-bot", Some("«P»"))
        .send()
        .await?;
    println!("registry: {}", resp.status());

    let email = Message::builder()
        .from("Ingest <«E#from»>".parse()?)
        .to("«E»".parse()?)
        .subject("ingest finished")
        .body(String::from("rows loaded"))?;
    let creds = Credentials::new("«E#from»".to_owned(), "«P»".to_owned());
    let mailer = SmtpTransport::relay("smtp.fastmail.com")?.credentials(creds).build();
    mailer.send(&email)?;

    sqlx::query("SELECT 1").execute(&pool).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_is_semver() {
        assert_eq!(env!("CARGO_PKG_VERSION"), "0.8.3");
    }
}
""")

# ------------------------------------------------------------------------------ .NET

_t("src/Acme.Api/appsettings.Production.json", r"""
{
  "Logging": {
    "LogLevel": { "Default": "Information", "Microsoft.AspNetCore": "Warning" }
  },
  "AllowedHosts": "*",
  "ForwardedHeaders": { "KnownProxies": [ "«I»", "127.0.0.1" ] },
  "ConnectionStrings": {
    "DefaultConnection": "Server=«I»,1433;Database=AcmeProd;User Id=acme_api;Password=«P»;TrustServerCertificate=True;",
    "Redis": "redis.acme.local:6379,password=«P»,ssl=False,abortConnect=False"
  },
  "AzureAd": {
    "Instance": "https://login.microsoftonline.com/",
    "TenantId": "«N:uuid»",
    "ClientId": "«N:uuid»",
    "ClientSecret": "«K:azure_ad»"
  },
  "Jwt": {
    "Key": "«K:b64_32»",
    "Issuer": "https://api.acme.io",
    "Audience": "acme-clients"
  },
  "SendGrid": {
    "ApiKey": "«K:sendgrid»",
    "FromAddress": "«E:team»"
  },
  "FeatureFlags": { "NewCheckout": true }
}
""")

_t("src/Acme.Notifications/EmailService.cs", r"""
using System.Net;
using System.Net.Mail;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace Acme.Notifications
{
    public class EmailService : IEmailService
    {
        private const string SmtpHost = "smtp.office365.com";
        private readonly ILogger<EmailService> _logger;

        public EmailService(ILogger<EmailService> logger) => _logger = logger;

        public async Task SendAsync(string to, string subject, string html)
        {
            using var client = new SmtpClient(SmtpHost, 587)
            {
                EnableSsl = true,
                Credentials = new NetworkCredential("«E#svc»", "«P»"),
            };

            var message = new MailMessage("«E#svc»", to, subject, html) { IsBodyHtml = true };
            message.CC.Add("«E»");
            await client.SendMailAsync(message);
            _logger.LogInformation("Sent {Subject} to {To}", subject, to);
        }
    }
}
""")

_t("tests/Acme.Data.Tests/ConnectionTests.cs", r"""
using System.Data.SqlClient;
using System.Security;
using Xunit;

namespace Acme.Data.Tests
{
    public class ConnectionTests
    {
        private const string ConnStr =
            "Data Source=sqltest.acme.local;Initial Catalog=AcmeTest;User ID=tester;Password=«P»;";

        private const string OdbcConnStr =
            "Driver={ODBC Driver 18 for SQL Server};Server=sqltest.acme.local;Uid=tester;Pwd=«P»;";

        private static SecureString ToSecure(string plain)
        {
            var secure = new SecureString();
            foreach (var c in plain) secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }

        [Fact]
        public void CanOpenConnection()
        {
            using var conn = new SqlConnection(ConnStr);
            conn.Open();
            Assert.Equal(System.Data.ConnectionState.Open, conn.State);
        }

        [Fact]
        public void CanOpenWithSqlCredential()
        {
            var cred = new SqlCredential("tester", ToSecure("«P»"));
            using var conn = new SqlConnection("Data Source=sqltest.acme.local;Initial Catalog=AcmeTest;", cred);
            conn.Open();
        }

        [Theory]
        [InlineData("")]
        [InlineData("********")]
        public void RejectsMaskedPassword(string password)
        {
            Assert.Throws<SqlException>(() => new SqlConnection($"Data Source=x;Password={password}").Open());
        }
    }
}
""")

_t("src/Acme.Storage/BlobSettings.cs", r"""
using Azure.Messaging.ServiceBus;
using Azure.Storage.Blobs;

namespace Acme.Storage
{
    public static class BlobSettings
    {
        public const string StorageConnection =
            "DefaultEndpointsProtocol=https;AccountName=acmemedia;AccountKey=«K:azure_storage»;EndpointSuffix=core.windows.net";

        // read-only SAS for the CDN origin, expires 2026-01-01
        public const string ThumbnailsSas =
            "https://acmemedia.blob.core.windows.net/thumbs?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2026-01-01T00:00:00Z&spr=https&sig=«K:azure_sas»";

        public const string ServiceBus =
            "Endpoint=sb://acme-events.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=«K:azure_sb»";

        public static BlobContainerClient Media() =>
            new BlobServiceClient(StorageConnection).GetBlobContainerClient("media");

        public static ServiceBusClient Bus() => new ServiceBusClient(ServiceBus);

        public static readonly Guid CorrelationNamespace = new Guid("«N:uuid»");

        public const string ContainerEtag = "\"0x8DB«N:short_sha»A1F2C3\"";
    }
}
""")

# ------------------------------------------------------------------------------ PHP

_t("wp-config.php", r"""
<?php
/**
 * The base configuration for WordPress
 *
 * @package WordPress
 */

// ** Database settings - You can get this info from your web host ** //
define( 'DB_NAME', 'wp_blog' );
define( 'DB_USER', 'wp_blog_user' );
define( 'DB_PASSWORD', '«P:rich»' );
define( 'DB_HOST', '«I»:3306' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );

/**#@+
 * Authentication unique keys and salts.
 * Generate these using the WordPress.org secret-key service.
 */
define( 'AUTH_KEY',         '«K:wp_salt»' );
define( 'SECURE_AUTH_KEY',  '«K:wp_salt»' );
define( 'LOGGED_IN_KEY',    '«K:wp_salt»' );
define( 'NONCE_KEY',        '«K:wp_salt»' );
define( 'AUTH_SALT',        'put your unique phrase here' );
/**#@-*/

$table_prefix = 'wp_';
define( 'WP_DEBUG', false );
define( 'FS_METHOD', 'direct' );

if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
""")

_t("includes/db.php", r"""
<?php
// Database connection helpers for the legacy admin panel.

$db_host = '«I»';
$db_user = 'panel';
$db_pass = '«P:rich»';
$db_name = 'panel';

function pdo(): PDO
{
    global $db_host, $db_user, $db_pass, $db_name;
    $dsn = "mysql:host=$db_host;dbname=$db_name;charset=utf8mb4";
    return new PDO($dsn, $db_user, $db_pass, [
        PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
        PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
    ]);
}

// panel de administración: usuario "gestor", contraseña en texto plano (temporal)
$contraseña_gestor = '«P:rich»';

function legacy_mysqli(): mysqli
{
    // stats replica, older credentials
    $link = mysqli_connect('«N:private_ip»', 'stats', '«P:rich»', 'stats');
    if (!$link) {
        die('Connect Error: ' . mysqli_connect_error());
    }
    return $link;
}

$stmt = pdo()->prepare('SELECT id FROM users WHERE email = :email AND password_hash = :password');
""")

_t("laravel-app/.env", r"""
APP_NAME=Storefront
APP_ENV=production
APP_KEY=base64:«K:b64_32»
APP_DEBUG=false
APP_URL=https://storefront.app

DB_CONNECTION=mysql
DB_HOST=127.0.0.1
DB_PORT=3306
DB_DATABASE=storefront
DB_USERNAME=storefront
DB_PASSWORD=«P»

MAIL_MAILER=smtp
MAIL_HOST=smtp.mailtrap.io
MAIL_PORT=2525
MAIL_USERNAME=«E»
MAIL_PASSWORD=«P:alnum»
MAIL_FROM_ADDRESS="«E:team»"

PUSHER_APP_ID=«N:digits»
PUSHER_APP_SECRET=«K:hex16»

AWS_ACCESS_KEY_ID=«K:aws_id»
AWS_SECRET_ACCESS_KEY=«K:aws_secret»
AWS_DEFAULT_REGION=us-east-1
""")

_t("database/seeders/DatabaseSeeder.php", r"""
<?php

namespace Database\Seeders;

use App\Models\User;
use Illuminate\Database\Seeder;
use Illuminate\Support\Facades\Hash;

class DatabaseSeeder extends Seeder
{
    /**
     * Seed the application's database.
     */
    public function run(): void
    {
        User::create([
            'name' => 'Site Admin',
            'email' => '«E»',
            'password' => Hash::make('«P»'),
            'is_admin' => true,
        ]);

        User::create([
            'name' => 'Demo Customer',
            'email' => '«E»',
            'password' => bcrypt('«P»'),
        ]);

        User::factory()->count(25)->create([
            'password' => '«N:bcrypt»', // hash of the factory default
        ]);
    }
}
""")

# ------------------------------------------------------------------------------ Ruby

_t("db/seeds.rb", r"""
# This file should contain all the record creation needed to seed the database with its default values.
# The data can then be loaded with the bin/rails db:seed command.

puts "Seeding users..."

admin = User.find_or_create_by!(email: "«E#admin»") do |u|
  u.name = "Administrator"
  u.password = "«P#admin»"
  u.password_confirmation = "«P#admin»"
  u.admin = true
  u.confirmed_at = Time.current
end

User.find_or_create_by!(email: "«E#demo»") do |u|
  u.name = "Demo"
  u.password = "«P#demo»"
  u.password_confirmation = "«P#demo»"
end

%w[books music games].each do |name|
  Category.find_or_create_by!(name: name)
end

puts "Done. Log in as #{admin.email} / «P#admin»"
""")

_t("spec/features/sign_in_spec.rb", r"""
require "rails_helper"

RSpec.feature "Signing in", type: :feature do
  let!(:user) { create(:user, email: "«E#user»", password: "«P#user»") }

  scenario "with valid credentials" do
    visit new_user_session_path
    fill_in "Email", with: "«E#user»"
    fill_in "Password", with: "«P#user»"
    click_button "Log in"
    expect(page).to have_content "Signed in successfully."
  end

  scenario "with a wrong password" do
    visit new_user_session_path
    fill_in "Email", with: user.email
    fill_in "Password", with: "«P»"
    click_button "Log in"
    expect(page).to have_content "Invalid Email or password."
  end
end

# spec/factories/users.rb
FactoryBot.define do
  factory :user do
    sequence(:email) { |n| "user#{n}@factory.test" }
    password { "«P»" }
    password_confirmation { password }
  end
end
""")

_t("config/database.yml", r"""
default: &default
  adapter: postgresql
  encoding: unicode
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>

development:
  <<: *default
  database: shelf_development

test:
  <<: *default
  database: shelf_test

production:
  <<: *default
  database: shelf_production
  username: shelf
  password: «P»
  host: «I»

# secret_key_base for the staging box (copied from `rails secret`)
staging_secret_key_base: «K:rails»
""")

# ------------------------------------------------------------------------------ other languages

_t("bin/nightly_export.pl", r"""
#!/usr/bin/perl
use strict;
use warnings;
use DBI;
use Net::SMTP;

my $dsn  = "DBI:mysql:database=crm;host=«I»;port=3306";
my $dbh  = DBI->connect($dsn, "exporter", "«P:alnum»", { RaiseError => 1, AutoCommit => 1 })
    or die "Cannot connect: $DBI::errstr";

# Zugang zum FTP-Server des Kunden
my %ftp = (host => '«I»', benutzer => 'export', passwort => '«P:alnum»');
my $passwd = '«P:alnum»';   # old htaccess user for the download area

my $sth = $dbh->prepare("SELECT id, email FROM contacts WHERE updated_at > NOW() - INTERVAL 1 DAY");
$sth->execute();
my $count = 0;
open(my $out, '>', "/var/exports/contacts.csv") or die $!;
while (my @row = $sth->fetchrow_array) {
    print $out join(",", @row), "\n";
    $count++;
}
close $out;

my $smtp = Net::SMTP->new('smtp.fastmail.com', Port => 465, SSL => 1) or die "smtp: $!";
$smtp->auth('«E#from»', '«P:alnum»');
$smtp->mail('«E#from»');
$smtp->to('«E»');
$smtp->data("Subject: nightly export\n\n$count contacts exported\n");
$smtp->quit;
""")

_t("lua/rate_limit.lua", r"""
-- OpenResty access phase: per-IP rate limiting backed by Redis
local redis = require "resty.redis"

local _M = {}

local REDIS_HOST = "«I»"
local REDIS_PORT = 6379
local REDIS_PASS = "«P»"
local LIMIT = 120

local WHITELIST = { ["127.0.0.1"] = true, ["«N:private_ip»"] = true }
-- scrapers that ignored robots.txt in March
local BLOCKLIST = { ["«I»"] = true, ["«I»"] = true, ["«I:v6»"] = true }

function _M.check()
    local ip = ngx.var.remote_addr
    if WHITELIST[ip] then return end
    if BLOCKLIST[ip] then return ngx.exit(403) end

    local red = redis:new()
    red:set_timeouts(100, 100, 100)
    local ok, err = red:connect(REDIS_HOST, REDIS_PORT)
    if not ok then
        ngx.log(ngx.ERR, "redis connect: ", err)
        return
    end
    red:auth(REDIS_PASS)

    local key = "rl:" .. ip
    local count = red:incr(key)
    if count == 1 then red:expire(key, 60) end
    red:set_keepalive(10000, 100)
    if count > LIMIT then
        return ngx.exit(429)
    end
end

return _M
""")

_t("analysis/01_load_data.R", r"""
library(DBI)
library(RPostgres)
library(dplyr)

# Connexion à l'entrepôt -----------------------------------------------------
mot_de_passe <- "«P»"   # TODO: utiliser keyring::key_get("entrepot")
con <- dbConnect(
  RPostgres::Postgres(),
  host     = "«I»",
  port     = 5432,
  dbname   = "warehouse",
  user     = "analyste",
  password = mot_de_passe
)

Sys.setenv(OPENAI_API_KEY = "«K:openai»")
# pw <- rstudioapi::askForPassword("Database password")

sales <- tbl(con, "sales") %>%
  filter(order_date >= as.Date("2024-01-01")) %>%
  group_by(region) %>%
  summarise(revenue = sum(amount, na.rm = TRUE)) %>%
  collect()

print(sales)
dbDisconnect(con)
""")

_t("config/dev.exs", r"""
import Config

# Configure your database
config :chat, Chat.Repo,
  username: "postgres",
  password: "«P»",
  hostname: "localhost",
  database: "chat_dev",
  stacktrace: true,
  show_sensitive_data_on_connection_error: true,
  pool_size: 10

config :chat, ChatWeb.Endpoint,
  http: [ip: {127, 0, 0, 1}, port: 4000],
  check_origin: false,
  code_reloader: true,
  debug_errors: true,
  secret_key_base: "«K:b64_64»",
  watchers: [esbuild: {Esbuild, :install_and_run, [:chat, ~w(--sourcemap=inline --watch)]}]

config :chat, Chat.Mailer,
  adapter: Swoosh.Adapters.Mailgun,
  api_key: "«K:mailgun»",
  domain: "mg.chat.dev"
""")

_t("src/Main.hs", r"""
{-# LANGUAGE OverloadedStrings #-}
module Main where

import Database.PostgreSQL.Simple
import Network.HTTP.Simple
import qualified Data.ByteString.Char8 as BS

connInfo :: BS.ByteString
connInfo = "host=«I» port=5432 user=haskell_app password='«P»' dbname=ledger"

apiToken :: BS.ByteString
apiToken = "«K:token»"

main :: IO ()
main = do
  conn <- connectPostgreSQL connInfo
  [Only n] <- query_ conn "SELECT count(*) FROM entries" :: IO [Only Int]
  putStrLn ("entries: " ++ show n)
  let req = setRequestHeader "Authorization" ["Bearer " <> apiToken]
          $ parseRequest_ "https://api.ledger.app/v1/sync"
  resp <- httpLBS req
  print (getResponseStatusCode resp)
""")

_t("lib/config/env.dart", r"""
import 'package:firebase_core/firebase_core.dart';

class Env {
  static const String apiBaseUrl = 'https://api.recipes.app';
  static const String mapsApiKey = '«K:google_api»';
  static const String revenueCatKey = '«K:revenuecat»';

  static const FirebaseOptions android = FirebaseOptions(
    apiKey: '«K:google_api»',
    appId: '1:«N:digits»:android:«N:short_sha»c0ffee',
    messagingSenderId: '«N:digits»',
    projectId: 'recipes-prod',
  );
}

// integration_test/login_test.dart uses this account
const testAccount = {'email': '«E»', 'password': '«P»'};
""")

_t("Sources/Auth/KeychainStore.swift", r"""
import Foundation
import Security

enum KeychainError: Error { case unexpectedStatus(OSStatus) }

final class KeychainStore {
    static let service = "com.acme.notes"

    static func save(account: String, password: String) throws {
        let query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
            kSecValueData as String: Data(password.utf8),
        ]
        SecItemDelete(query as CFDictionary)
        let status = SecItemAdd(query as CFDictionary, nil)
        guard status == errSecSuccess else { throw KeychainError.unexpectedStatus(status) }
    }
}

final class APIClient: NSObject, URLSessionDelegate {
    private let apiKey = "«K:token»"

    func urlSession(_ session: URLSession, didReceive challenge: URLAuthenticationChallenge,
                    completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        let credential = URLCredential(user: "«E»", password: "«P»", persistence: .forSession)
        completionHandler(.useCredential, credential)
    }
}

#if DEBUG
// seeded into the simulator keychain by the UI tests
let debugSeed = { try? KeychainStore.save(account: "qa", password: "«P»") }
#endif
""")

_t("Classes/Network/ACMNetworkManager.m", r"""
#import "ACMNetworkManager.h"
#import <AFNetworking/AFNetworking.h>

static NSString * const kBaseURL = @"https://api.acme-notes.com/";
static NSString * const kClientSecret = @"«K:hex24»";

@implementation ACMNetworkManager

+ (instancetype)sharedManager {
    static ACMNetworkManager *shared = nil;
    static dispatch_once_t onceToken;
    dispatch_once(&onceToken, ^{
        shared = [[self alloc] initWithBaseURL:[NSURL URLWithString:kBaseURL]];
        [shared.requestSerializer setAuthorizationHeaderFieldWithUsername:@"ios-client"
                                                                 password:@"«P»"];
        [shared.requestSerializer setValue:kClientSecret forHTTPHeaderField:@"X-Client-Secret"];
    });
    return shared;
}

- (NSURLCredential *)stagingCredential {
    return [NSURLCredential credentialWithUser:@"staging"
                                      password:@"«P»"
                                   persistence:NSURLCredentialPersistenceForSession];
}

@end
""")

_t("firmware/greenhouse/greenhouse.ino", r"""
#include <WiFi.h>
#include <PubSubClient.h>
#include <DHT.h>

// WiFi credentials
const char* ssid = "Greenhouse-2G";
const char* password = "«P»";

// MQTT broker
const char* mqtt_server = "«I»";
const int   mqtt_port = 1883;
const char* mqtt_user = "greenhouse";
const char* mqtt_pass = "«P:alnum»";

WiFiClient espClient;
PubSubClient client(espClient);
DHT dht(4, DHT22);

void setup_wifi() {
  WiFi.begin(ssid, password);
  while (WiFi.status() != WL_CONNECTED) {
    delay(500);
    Serial.print(".");
  }
  Serial.println(WiFi.localIP());
}

void reconnect() {
  while (!client.connected()) {
    if (client.connect("esp32-greenhouse", mqtt_user, mqtt_pass)) {
      client.subscribe("greenhouse/cmd");
    } else {
      delay(5000);
    }
  }
}

void setup() {
  Serial.begin(115200);
  dht.begin();
  setup_wifi();
  client.setServer(mqtt_server, mqtt_port);
}

void loop() {
  if (!client.connected()) reconnect();
  client.loop();
  char buf[16];
  snprintf(buf, sizeof buf, "%.1f", dht.readTemperature());
  client.publish("greenhouse/temp", buf);
  delay(10000);
}
""")

_t("src/telemetry_client.c", r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mosquitto.h>

#define BROKER_HOST "«I»"
#define BROKER_PORT 8883
#define CLIENT_ID   "telemetry-gw"

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    (void)obj;
    if (rc == 0) {
        mosquitto_subscribe(mosq, NULL, "fleet/+/status", 1);
    } else {
        fprintf(stderr, "connect failed: %s\n", mosquitto_connack_string(rc));
    }
}

int main(void)
{
    struct mosquitto *mosq;

    mosquitto_lib_init();
    mosq = mosquitto_new(CLIENT_ID, true, NULL);
    if (!mosq) return EXIT_FAILURE;

    mosquitto_username_pw_set(mosq, "telemetry", "«P»");
    mosquitto_tls_set(mosq, "/etc/ssl/certs/ca-certificates.crt", NULL, NULL, NULL, NULL);
    mosquitto_connect_callback_set(mosq, on_connect);

    if (mosquitto_connect(mosq, BROKER_HOST, BROKER_PORT, 60) != MOSQ_ERR_SUCCESS) {
        fprintf(stderr, "unable to connect to %s\n", BROKER_HOST);
        return EXIT_FAILURE;
    }
    mosquitto_loop_forever(mosq, -1, 1);
    mosquitto_destroy(mosq);
    mosquitto_lib_cleanup();
    return EXIT_SUCCESS;
}
""")

# ------------------------------------------------------------------------------ shell, PowerShell, SQL

_t("scripts/provision.sh", r"""
#!/usr/bin/env bash
set -euo pipefail

APP_HOST="«I»"
DB_ROOT_PW='«P:url#root»'

echo "==> creating database"
mysql -u root -p«P:url#root» -e "CREATE DATABASE IF NOT EXISTS wiki;"

echo "==> copying release to ${APP_HOST}"
sshpass -p '«P:url»' scp -o StrictHostKeyChecking=no release.tar.gz deploy@${APP_HOST}:/opt/wiki/
sshpass -p "«P:url»" ssh deploy@«I» 'sudo systemctl restart wiki'

echo "==> starting postgres for the search index"
docker run -d --name search-db \
  -e POSTGRES_USER=search \
  -e POSTGRES_PASSWORD=«P:url» \
  -p 5433:5432 postgres:16.2@sha256:«N:sha256»

echo "==> firewall"
ufw allow from «I» to any port 22 proto tcp
ufw allow from 192.168.0.0/16

echo "==> protecting the admin area"
htpasswd -b -c /etc/nginx/.htpasswd editor «P:url»

curl -fsS -u ci:«P:url» "https://jenkins.wiki.internal/job/reindex/build?delay=0sec"
echo "done"
""")

_t("scripts/bootstrap-env.sh", r"""
#!/bin/sh
# Writes the .env used by docker compose on the build agents.
cat > .env <<EOF
COMPOSE_PROJECT_NAME=tracker
POSTGRES_PASSWORD=«P:url»
GITHUB_TOKEN=«K:gh_app»
SENTRY_AUTH_TOKEN=«K:sentry_auth»
DO_TOKEN=«K:digitalocean»
NPM_TOKEN=«K:npm»
CF_API_TOKEN=«K:cloudflare»
EOF

# a quoted heredoc keeps the variables literal for the template
cat > .env.template <<'EOF'
POSTGRES_PASSWORD=${POSTGRES_PASSWORD}
GITHUB_TOKEN=${GITHUB_TOKEN}
EOF

chmod 600 .env
""")

_t("deploy/Deploy-Site.ps1", r"""
param(
    [string]$Server = "«I»",
    [string]$SiteName = "Intranet"
)

$ErrorActionPreference = "Stop"

$Kennwort = "«P:alnum»"   # Kennwort des Dienstkontos
$securePass = ConvertTo-SecureString $Kennwort -AsPlainText -Force
$cred = New-Object System.Management.Automation.PSCredential ("CORP\svc-deploy", $securePass)

# $cred = Get-Credential -Message "Deployment account"

$headers = @{ "Authorization" = "Bearer «K:token»"; "Accept" = "application/json" }
$release = Invoke-RestMethod -Uri "https://octopus.corp.lan/api/releases/latest" -Headers $headers

Invoke-Command -ComputerName $Server -Credential $cred -ScriptBlock {
    param($name, $version)
    Import-Module WebAdministration
    Stop-WebSite -Name $name
    Expand-Archive -Path "C:\drops\$version.zip" -DestinationPath "C:\inetpub\$name" -Force
    Start-WebSite -Name $name
} -ArgumentList $SiteName, $release.Version

Write-Host "Deployed $($release.Version) to $Server"
""")

_t("db/migrations/001_init.sql", r"""
-- Initial schema and roles for the ticketing service

CREATE USER 'tickets'@'%' IDENTIFIED BY '«P»';
CREATE USER 'tickets_ro'@'10.0.%' IDENTIFIED BY '«P»';
GRANT SELECT, INSERT, UPDATE, DELETE ON tickets.* TO 'tickets'@'%';
GRANT SELECT ON tickets.* TO 'tickets_ro'@'10.0.%';

CREATE TABLE users (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    email         VARCHAR(255) NOT NULL UNIQUE,
    password_hash VARCHAR(255) NOT NULL,
    created_at    TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

INSERT INTO users (email, password_hash) VALUES
    ('«E»', '«N:bcrypt»'),
    ('«E»', '«N:bcrypt»');

-- postgres side (reporting replica)
-- ALTER ROLE reporting WITH LOGIN PASSWORD '«P»';
""")

_t("sql/roles.sql", r"""
\connect analytics

CREATE ROLE etl WITH LOGIN PASSWORD '«P»' VALID UNTIL '2026-01-01';
ALTER ROLE dashboard WITH PASSWORD '«P»';
ALTER USER metabase PASSWORD 'md5«N:md5»';   -- pre-hashed, copied from the old cluster

GRANT CONNECT ON DATABASE analytics TO etl, dashboard, metabase;
GRANT USAGE ON SCHEMA mart TO dashboard;
GRANT SELECT ON ALL TABLES IN SCHEMA mart TO dashboard;

CREATE SERVER legacy_crm FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '«I»', port '5432', dbname 'crm');
CREATE USER MAPPING FOR etl SERVER legacy_crm
    OPTIONS (user 'crm_reader', password '«P»');
""")

# ------------------------------------------------------------------------------ infrastructure and config

_t("docker-compose.yml", r"""
version: "3.9"

services:
  db:
    image: postgres:16.2@sha256:«N:sha256»
    environment:
      POSTGRES_USER: wiki
      POSTGRES_PASSWORD: «P:url»
      POSTGRES_DB: wiki
    volumes:
      - pgdata:/var/lib/postgresql/data

  mysql:
    image: mysql:8.0.36
    environment:
      - MYSQL_ROOT_PASSWORD=«P:url»
      - MYSQL_DATABASE=legacy
      - MYSQL_PASSWORD=${MYSQL_PASSWORD}

  rabbitmq:
    image: rabbitmq:3.12-management
    environment:
      RABBITMQ_DEFAULT_USER: wiki
      RABBITMQ_DEFAULT_PASS: "«P»"

  redis:
    image: redis:7.2.4-alpine
    command: ["redis-server", "--requirepass", "${REDIS_PASSWORD:?set REDIS_PASSWORD}"]

  app:
    build: .
    depends_on: [db, rabbitmq, redis]
    extra_hosts:
      - "license-server:«I»"
      - "host.docker.internal:host-gateway"
    environment:
      DATABASE_URL: postgres://wiki:${POSTGRES_PASSWORD}@db:5432/wiki
      SECRET_KEY_BASE: "{{ vault_secret_key_base }}"
    ports:
      - "8080:8080"

volumes:
  pgdata: {}
""")

_t("k8s/payments/secret.yaml", r"""
apiVersion: v1
kind: Secret
metadata:
  name: payments-secrets
  namespace: payments
  annotations:
    checksum/config: «N:sha256»
type: Opaque
stringData:
  DB_PASSWORD: "«P»"
  BRAINTREE_ACCESS_TOKEN: "«K:braintree»"
  PAYPAL_CLIENT_SECRET: "«K:paypal_secret»"
  SQUARE_ACCESS_TOKEN: "«K:square»"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments
  namespace: payments
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: payments
          image: ghcr.io/acme/payments@sha256:«N:sha256»
          envFrom:
            - secretRef:
                name: payments-secrets
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: payments-egress
  namespace: payments
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock:
            cidr: «I»/32
        - ipBlock:
            cidr: 10.96.0.0/12
          env:
            - name: NODE_IP
              valueFrom:
                fieldRef:
                  fieldPath: status.hostIP
""")

_t(".github/workflows/ci.yml", r"""
name: CI

on:
  push:
    branches: [main]
  pull_request:

jobs:
  test:
    runs-on: ubuntu-22.04
    services:
      postgres:
        image: postgres:15
        env:
          POSTGRES_USER: ci
          POSTGRES_PASSWORD: «P:url»
          POSTGRES_DB: app_test
        ports: ["5432:5432"]
    steps:
      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11 # v4.1.1
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install -r requirements.txt
      - run: pytest -q
        env:
          DATABASE_URL: postgresql://ci:«P:url»@localhost:5432/app_test
          STRIPE_API_KEY: ${{ secrets.STRIPE_TEST_KEY }}
          SENTRY_DSN: ${{ secrets.SENTRY_DSN }}
      - name: Publish
        if: github.ref == 'refs/heads/main'
        run: twine upload dist/* -u __token__ -p "${{ secrets.PYPI_TOKEN }}"
""")

_t("infra/main.tf", r"""
terraform {
  required_version = ">= 1.6.0"
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.31" }
  }
}

provider "aws" {
  region     = "eu-west-1"
  access_key = "«K:aws_id»"
  secret_key = "«K:aws_secret»"
}

resource "aws_db_instance" "app" {
  identifier        = "app-prod"
  engine            = "postgres"
  engine_version    = "15.4"
  instance_class    = "db.t3.medium"
  allocated_storage = 50
  username          = "app"
  password          = "«P»"
  skip_final_snapshot = true
}

resource "aws_security_group_rule" "office_ssh" {
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = ["«I»/32", "«I»/32", "10.0.0.0/8"]
  security_group_id = aws_security_group.bastion.id
}

variable "replica_password" {
  type      = string
  sensitive = true
}
""")

_t("ansible/inventory/production.ini", r"""
[web]
web1 ansible_host=«I»
web2 ansible_host=«I»

[monitoring]
grafana ansible_host=«I»

[db]
db1 ansible_host=«N:private_ip» ansible_ssh_common_args='-o ProxyJump=deploy@«I»'

[all:vars]
ansible_user=deploy
ansible_ssh_pass=«P»
ansible_become_pass=«P»
ansible_python_interpreter=/usr/bin/python3
ntp_servers=["0.pool.ntp.org", "1.pool.ntp.org"]
dns_servers=["8.8.8.8", "1.1.1.1"]
""")

_t("haproxy/haproxy.cfg", r"""
global
    log /dev/log local0
    maxconn 4096
    user haproxy
    group haproxy

defaults
    mode http
    timeout connect 5s
    timeout client  30s
    timeout server  30s

frontend public
    bind 0.0.0.0:443 ssl crt /etc/haproxy/certs/site.pem
    acl office src «I»/32 10.0.0.0/8 192.168.0.0/16
    http-request deny if { path_beg /admin } !office
    default_backend app

backend app
    balance roundrobin
    server app1 «I»:8080 check
    server app2 «I»:8080 check
    server app4 «I»:8080 check
    server app3 «N:private_ip»:8080 check backup

listen stats
    bind 127.0.0.1:8404
    stats enable
    stats uri /stats
    stats auth admin:«P:alnum»
""")

_t("README.md", r"""
# Tracker

Time-tracking for small teams. Backend in FastAPI, frontend in SvelteKit.

## Quick start

```bash
npm i -g pnpm@8.15.1
git clone git@github.com:tracker-app/tracker.git
cd tracker
cp .env.example .env          # then fill in your own values
docker compose up -d
```

The compose file creates a development database. Connect with:

```bash
psql postgresql://tracker:«P:url»@localhost:5433/tracker
```

Open http://localhost:5173 and log in as `«E»` with password `«P»` (created by the seed
script; change it under *Settings → Password*).

## Calling the API

```bash
curl -H "Authorization: Bearer «K:token»" https://staging.tracker.app/api/v1/projects
```

Staging runs on a single VM at «I» (port 443 only). The staging token above is rotated weekly, ask in #tracker-dev for a fresh one.

## Contributing

Bug reports to «E:team». Please run `pre-commit install` before your first commit.
Releases follow semver; the current version is 1.9.2.
""")

_t("AUTHORS.md", r"""
# Authors

Tracker is written and maintained by:

* Elena Ivanova <«E»> — project lead
* Farid Haddad <«E»>
* Grace Quinn <«E»>
* Ines Moreau <«E»> (frontend)
* Liam Jensen <«E»>

## Security contact

Please report vulnerabilities privately to «E:team» (PGP key 0x«N:short_sha»9A1B2C3D4E5F,
fingerprint «N:sha1»).

## Past contributors

* Bruno Rossi (`@brunor`)
* Rosa Vargas <«E»>
""")

_t("deploy/hosts", r"""
# /etc/hosts for the build farm, managed by ansible
127.0.0.1       localhost
::1             localhost ip6-localhost ip6-loopback
«N:private_ip»     build-controller.lan

# public mirrors we pin to avoid DNS flakiness
«I»    pypi-mirror.acme-builds.net
«I»    npm-mirror.acme-builds.net
«I»    ghcr-cache.acme-builds.net
«I:v6»    ghcr-cache.acme-builds.net
«I»    license.jetbrains-proxy.acme-builds.net
«I:v6»    pypi-mirror.acme-builds.net
""")

_t("docs/api/authentication.md", r"""
# Authentication

All endpoints require either HTTP Basic auth (for service accounts) or a bearer token.

## Basic auth

```http
GET /api/v2/reports HTTP/1.1
Host: reports.acme.io
Authorization: Basic «K:basic»
```

## Bearer tokens

Exchange credentials at `POST /api/v2/token`; the response looks like:

```json
{
  "access_token": "«K:jwt»",
  "token_type": "Bearer",
  "expires_in": 3600
}
```

Tokens are JWTs signed with HS256. Do not put them in query strings: `?access_token=` is
accepted only for the legacy exporter, e.g.
`https://reports.acme.io/export.csv?access_token=«K:token»&from=2024-01-01`.
""")

_t("deploy/.env.production", r"""
# production runtime configuration (synced to the droplet by `make push-env`)
NODE_ENV=production
PORT=8080
DATABASE_URL=postgres://app:«P:url»@«I»:25060/app?sslmode=require

AWS_ACCESS_KEY_ID=«K:aws_id»
AWS_SECRET_ACCESS_KEY=«K:aws_secret»
STRIPE_SECRET_KEY=«K:stripe_sk»
SENDGRID_API_KEY=«K:sendgrid»
TWILIO_AUTH_TOKEN=«K:twilio»
SENTRY_DSN=https://«K:sentry»@o«N:digits».ingest.us.sentry.io/«N:digits»
DD_API_KEY=«K:datadog_api»
HEROKU_API_KEY=«K:heroku»
ANTHROPIC_API_KEY=«K:anthropic»
MAILCHIMP_API_KEY=«K:mailchimp»
SESSION_SECRET=«K:hex32»
BUILD_SHA=«N:sha1»
""")

_t("config/credentials.yml", r"""
# decrypted with `bin/rails credentials:show` for the migration to the new host
secret_key_base: «K:rails»

aws:
  access_key_id: «K:aws_id»
  secret_access_key: «K:aws_secret»

github:
  client_id: Iv1.«N:short_sha»d2a9e0c4
  client_secret: «K:hex24»

google_oauth:
  client_id: «N:digits»-«N:short_sha»fj3k.apps.googleusercontent.com
  client_secret: «K:google_secret»
  maps_api_key: «K:google_api»

shopify:
  api_secret_key: «K:shopify»
  admin_token: «K:shopify»

smtp:
  user_name: «E»
  password: «P»
""")

_t("shop/integrations/settings.py", r'''
"""Third-party integration settings for the storefront."""
import os

SHOPIFY = {
    "shop": "acme-outfitters.myshopify.com",
    "access_token": "«K:shopify»",
    "api_version": "2024-01",
}

SQUARE = {
    "environment": "production",
    "access_token": "«K:square»",
    "location_id": "L«N:short_sha»QX4Z",
}

BRAINTREE_ACCESS_TOKEN = "«K:braintree»"

MAILCHIMP = {
    "api_key": "«K:mailchimp»",
    "list_id": "«N:short_sha»e1",
    "server": "us19",
}

TWILIO = {
    "account_sid": os.environ.get("TWILIO_ACCOUNT_SID"),
    "auth_token": "«K:twilio»",
    "from_number": "+15005550006",
}

PAYPAL = {"mode": "live", "client_secret": "«K:paypal_secret»"}
''')

_t("service-account.json", r"""
{
  "type": "service_account",
  "project_id": "billing-exports-«N:digits»",
  "private_key_id": "«K:hex24»",
  "private_key": "«K:pem_pkcs8_json»\n",
  "client_email": "«E:gsa»",
  "client_id": "«N:id18»",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
  "universe_domain": "googleapis.com"
}
""")

_t("~/.pypirc", r"""
[distutils]
index-servers =
    pypi
    testpypi
    internal

[pypi]
username = __token__
password = «K:pypi»

[testpypi]
repository = https://test.pypi.org/legacy/
username = __token__
password = «K:pypi»

[internal]
repository = https://pypi.corp.acme.io/simple/
username = ci-publisher
password = «P»
""")

_t("ops/tls/gen_test_certs.py", r'''
"""Fixtures for the mTLS tests: a CA certificate (public) and the client's private keys."""
import ssl
import tempfile

CA_CERT = """«N:cert»
"""

CLIENT_KEY = """«K:pem_rsa»
"""

EDGE_KEY = """«K:pem_ec»
"""

SERVER_PUBLIC_KEY = """«N:pubkey»
"""


def client_context():
    ctx = ssl.create_default_context(cafile=None, cadata=CA_CERT)
    with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as fh:
        fh.write(CLIENT_KEY)
    return ctx
''')

_t("release/signing/README.md", r"""
# Release signing

The release bot signs tags with the key below. It was generated for the CI machine only and
is stored here until we move it to the HSM (tracked in OPS-412).

```
«K:pem_pgp»
```

Public key fingerprint: `«N:sha1»`. Import the public half with
`gpg --keyserver keys.openpgp.org --recv-keys «N:short_sha»9F0E1D2C`.

Release checksums are published as `SHA256SUMS`:

```
«N:sha256»  tracker-1.9.2-linux-amd64.tar.gz
«N:sha256»  tracker-1.9.2-darwin-arm64.tar.gz
```
""")

# ------------------------------------------------------------------------------ documents with no secrets

_t("tracker/.env.example", r"""
# Copy to .env and fill in. Never commit the real file.
DATABASE_URL=postgresql://tracker:<your-db-password>@localhost:5433/tracker
SECRET_KEY=YOUR_SECRET_KEY_HERE
JWT_SECRET=
STRIPE_SECRET_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx
STRIPE_PUBLISHABLE_KEY=«N:stripe_pk»
SENDGRID_API_KEY=<your-sendgrid-api-key>
SMTP_PASSWORD=********
ADMIN_EMAIL=admin@your-domain
ADMIN_PASSWORD=${ADMIN_PASSWORD}
REDIS_URL=redis://:{{ redis_password }}@127.0.0.1:6379/0
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
SENTRY_DSN=https://<key>@<org>.ingest.sentry.io/<project>
LOG_LEVEL=info
PASSWORD_MIN_LENGTH=12
""")

_t("web/package-lock.json", r"""
{
  "name": "tracker-web",
  "version": "1.9.2",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "tracker-web",
      "version": "1.9.2",
      "dependencies": { "@sveltejs/kit": "^2.5.0", "bcryptjs": "^2.4.3" }
    },
    "node_modules/@sveltejs/kit": {
      "version": "2.5.4",
      "resolved": "https://registry.npmjs.org/@sveltejs/kit/-/kit-2.5.4.tgz",
      "integrity": "«N:sri»",
      "license": "MIT"
    },
    "node_modules/bcryptjs": {
      "version": "2.4.3",
      "resolved": "https://registry.npmjs.org/bcryptjs/-/bcryptjs-2.4.3.tgz",
      "integrity": "«N:sri»"
    },
    "node_modules/password-validator": {
      "version": "5.3.0",
      "resolved": "https://registry.npmjs.org/password-validator/-/password-validator-5.3.0.tgz",
      "integrity": "«N:sri»"
    },
    "node_modules/secret-handshake": {
      "version": "1.1.21",
      "resolved": "git+ssh://git@github.com/ssbc/secret-handshake.git#«N:sha1»",
      "integrity": "«N:sri»"
    }
  }
}
""")

_t("src/locales/messages.json", r"""
{
  "en": {
    "login.email": "Email",
    "login.password": "Password",
    "login.forgot": "Forgot password?",
    "login.submit": "Sign in",
    "reset.title": "Reset your password",
    "reset.sent": "If an account exists for that email, we sent a reset link.",
    "errors.password_too_short": "Password must be at least {min} characters",
    "errors.invalid_credentials": "Invalid email or password"
  },
  "fr": {
    "login.email": "Adresse e-mail",
    "login.password": "Mot de passe",
    "login.forgot": "Mot de passe oublié ?",
    "login.submit": "Se connecter",
    "errors.password_too_short": "Le mot de passe doit contenir au moins {min} caractères"
  },
  "de": {
    "login.password": "Passwort",
    "login.forgot": "Passwort vergessen?",
    "admin.kennwort": "Kennwort ändern"
  },
  "es": {
    "login.password": "Contraseña",
    "login.forgot": "¿Olvidaste tu contraseña?"
  },
  "ja": {
    "login.password": "パスワード"
  }
}
""")

_t("crypto/test/vectors.c", r"""
/* Known-answer tests for the hash wrappers. All values are published test vectors. */
#include <assert.h>
#include <string.h>
#include "digest.h"

struct kat { const char *msg; const char *sha1; const char *sha256; };

static const struct kat KATS[] = {
    /* FIPS 180-2, "abc" */
    { "abc",
      "a9993e364706816aba3e25717850c26c9cd0d89d",
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    /* empty string */
    { "",
      "da39a3ee5e6b4b0d3255bfef95601890afd80709",
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
};

/* regression digests of fixtures/large.bin, regenerated by `make vectors` */
static const char *LARGE_BIN_SHA256 = "«N:sha256»";
static const char *LARGE_BIN_SHA512 = "«N:sha512»";
static const char *LARGE_BIN_MD5    = "«N:md5»";

int main(void)
{
    char hex[129];
    for (size_t i = 0; i < sizeof KATS / sizeof KATS[0]; i++) {
        sha1_hex(KATS[i].msg, strlen(KATS[i].msg), hex);
        assert(strcmp(hex, KATS[i].sha1) == 0);
        sha256_hex(KATS[i].msg, strlen(KATS[i].msg), hex);
        assert(strcmp(hex, KATS[i].sha256) == 0);
    }
    assert(file_sha256_hex("fixtures/large.bin", hex) == 0 && strcmp(hex, LARGE_BIN_SHA256) == 0);
    assert(file_sha512_hex("fixtures/large.bin", hex) == 0 && strcmp(hex, LARGE_BIN_SHA512) == 0);
    assert(file_md5_hex("fixtures/large.bin", hex) == 0 && strcmp(hex, LARGE_BIN_MD5) == 0);
    return 0;
}
""")

_t("netmon/snmp_poll.py", r'''
"""Poll interface counters from the lab switches over SNMP v2c."""
import ipaddress

from pysnmp.hlapi import (CommunityData, ContextData, ObjectIdentity, ObjectType, SnmpEngine,
                          UdpTransportTarget, getCmd)

SWITCHES = ["«N:private_ip»", "«N:private_ip»", "«N:private_ip»"]
MGMT_NET = ipaddress.ip_network("10.20.0.0/16")
NETMASK = "255.255.255.0"
METADATA_URL = "http://169.254.169.254/latest/meta-data/"
RESOLVERS = ["8.8.8.8", "1.1.1.1", "9.9.9.9"]

OIDS = {
    "sysName": "1.3.6.1.2.1.1.5.0",
    "ifInOctets": "1.3.6.1.2.1.2.2.1.10",
    "ifOutOctets": "1.3.6.1.2.1.2.2.1.16",
}
RSA_ENCRYPTION_OID = "1.2.840.113549.1.1.1"
FIRMWARE_MIN = "15.2.7.3"
__version__ = "2.4.0.1"


def poll(host, oid):
    it = getCmd(SnmpEngine(), CommunityData("public", mpModel=1),
                UdpTransportTarget((host, 161), timeout=2), ContextData(),
                ObjectType(ObjectIdentity(oid)))
    error, status, _, binds = next(it)
    if error or status:
        raise RuntimeError(f"{host}: {error or status.prettyPrint()}")
    return binds[0][1]


def in_mgmt(addr):
    return ipaddress.ip_address(addr) in MGMT_NET


if __name__ == "__main__":
    bind = ("0.0.0.0", 8161)
    for sw in SWITCHES:
        print(sw, poll(sw, OIDS["sysName"]), in_mgmt(sw))
''')

_t("web/static/index.html", r"""
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Sign in · Tracker</title>
  <link rel="icon" href="/img/logo@2x.png">
  <script src="https://cdn.jsdelivr.net/npm/alpinejs@3.13.5/dist/cdn.min.js"
          integrity="sha384-«N:b64json»" crossorigin="anonymous" defer></script>
  <style>
    @font-face {
      font-family: "Inter";
      src: url(data:font/woff2;base64,«N:woff») format("woff2");
    }
    @media (max-width: 600px) { .card { width: 100%; } }
    .logo { background-image: url("data:image/png;base64,«N:png»"); }
  </style>
</head>
<body>
  <form class="card" method="post" action="/login">
    <label for="email">Email</label>
    <input id="email" name="email" type="email" autocomplete="username" placeholder="you@company">
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password"
           placeholder="••••••••" minlength="12" pattern="(?=.*\d)(?=.*[a-z])(?=.*[A-Z]).{12,}">
    <a href="/reset-password">Forgot password?</a>
    <button type="submit">Sign in</button>
  </form>
  <footer>v1.9.2 · build «N:short_sha»</footer>
</body>
</html>
""")

# ------------------------------------------------------------------------------ generation and checks


def testset5_documents(seed: int = SEED) -> list[LabelledDoc]:
    """Every template rendered once with values drawn from a Random seeded by (seed, name)."""
    docs = []
    for name, template in TEMPLATES:
        rng = random.Random(f"pii-testset5:{seed}:{name}")
        docs.append(_parse(name, _render(template, rng)))
    return docs


_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


def _check(seed: int = SEED) -> Counter:
    docs = testset5_documents(seed)
    names = [d.name for d in docs]
    assert len(names) == len(set(names)), "document names must be unique"
    assert testset5_documents(seed) == docs, "not deterministic for a seed"
    other = {d.name: d for d in testset5_documents(seed + 1)}

    counts: Counter = Counter()
    empty_docs = 0
    for doc in docs:
        assert "«" not in doc.text and "»" not in doc.text, f"{doc.name}: unfilled slot"
        assert "⟦" not in doc.text and "⟧" not in doc.text, f"{doc.name}: stray marker"
        if not doc.spans:
            empty_docs += 1
        last_end = -1
        for kind, start, end in sorted(doc.spans, key=lambda s: s[1]):
            value = doc.text[start:end]
            where = f"{doc.name}: {kind} {value!r}"
            assert kind in KINDS, where
            assert value and value == value.strip(), where
            assert start >= last_end, f"{where}: overlapping spans"
            last_end = end
            counts[kind] += 1
            if kind == "email":
                assert _EMAIL.match(value), where
                assert not re.search(r"@example\.(com|org|net)$", value), where
            elif kind == "ip_address":
                ip = ipaddress.ip_address(value)
                assert ip.is_global and value not in _RESOLVERS, where
            elif kind == "password":
                assert _plausible_password(value), where
            elif kind == "key":
                assert len(value) >= 20, where
            # a secret that occurs again in the file must be labelled there too
            covered = {(s, e) for _, s, e in doc.spans}
            for m in re.finditer(re.escape(value), doc.text):
                assert (m.start(), m.end()) in covered or any(
                    s <= m.start() and m.end() <= e for _, s, e in doc.spans), f"{where}: unlabelled repeat"
        # fresh values for a different seed
        alt = other[doc.name]
        assert len(alt.spans) == len(doc.spans), doc.name
        for (_, s1, e1), (_, s2, e2) in zip(doc.spans, alt.spans):
            assert doc.text[s1:e1] != alt.text[s2:e2], f"{doc.name}: value does not depend on the seed"

    assert 75 <= len(docs) <= 90, len(docs)
    assert empty_docs >= 8, empty_docs
    assert counts["password"] >= 90 and counts["key"] >= 90, counts
    assert counts["email"] >= 60 and counts["ip_address"] >= 60, counts
    assert 300 <= sum(counts.values()) <= 450, counts
    counts["documents"] = len(docs)
    counts["documents_without_positives"] = empty_docs
    return counts


if __name__ == "__main__":
    summary = _check()
    for other_seed in (1, 2, 3):
        _check(other_seed)
    print(f"documents: {summary['documents']} ({summary['documents_without_positives']} without positives)")
    print(f"spans: {sum(summary[k] for k in KINDS)}")
    for kind in KINDS:
        print(f"  {kind:<11} {summary[kind]}")
