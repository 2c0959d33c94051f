"""Labelled test set 9 for the PII/secret scrubber: the long tail of real repositories.

Less common languages and ecosystems (Elixir, Erlang, Clojure, Haskell, OCaml, F#, sbt, Gradle,
Julia, R, MATLAB, Fortran, Perl, Tcl/expect, OpenResty, Nim, Zig, Crystal, Dart, Objective-C,
VB.NET, Delphi, JCL, ABAP, PL/SQL, T-SQL, shells, AutoHotkey, batch, Nix, Puppet, Chef, Salt,
Bicep, Pulumi, ...), infrastructure configs (proxies, log shippers, connectors, BI tools, CI
systems, GitOps) and the less common ways credentials get written (SQL ``IDENTIFIED BY``, LDIF,
JDBC/ODBC strings, dotfiles such as netrc/pgpass/.my.cnf/.npmrc/.pypirc, CLI flags such as
``-passout pass:``, ``keytool -storepass``, ``sshpass -p``, ``smbclient -U user%pw``, ...).

Every planted value is drawn from a ``random.Random`` seeded by (seed, document name); the
templates below mark a slot as ``«kind:generator(arg)#tag»`` (kind one of e/i/k/p, or absent for
an unlabelled hard-negative value; the same ``#tag`` repeats the same value within a document),
which is rendered to the ``⟦kind|value⟧`` markers that ``_parse`` understands.

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

Additional conventions used here: a span is exactly the value (no quotes, no ``user:``, no
port, no ``pass:`` prefix as in openssl's ``-passout pass:...``); for ``Authorization: Basic
<base64>`` the base64 is a ``key``; for a Slack incoming-webhook URL the ``T.../B.../...`` path
is the ``key``.

Run ``python -m tests.pii_testset9`` to self-check and print the counts.
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
import uuid
from urllib.parse import quote

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 9009

_AL = string.ascii_letters + string.digits
_LOW = string.ascii_lowercase + string.digits
_UP = string.ascii_uppercase + string.digits
_HEX = "0123456789abcdef"
_B64 = _AL + "+/"
_B64U = _AL + "-_"
_CRYPT = "./" + _AL
_BECH = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"

_WORDS = (
    "maple harbor falcon copper lantern orchid juniper granite velvet cobalt saffron thistle "
    "quartz meadow tundra willow ember glacier pepper walnut raven comet basil cedar lumen "
    "nimbus pebble sorrel tango zephyr marble fennel hazel onyx prairie sable tulip vortex "
    "kestrel badger heron lynx otter puffin quokka wombat bramble cinder dune fjord gully "
    "hollow inlet lagoon mesa nettle ochre plume ridge shoal tinder umber vista wharf"
).split()
_FIRST = (
    "amara bjorn chen dalia emeka farah goran hiro ingrid jules kwame lena matteo nadia oskar "
    "priya quentin rosa sanjay tamsin ugo vesna wen xavier yusuf zofia aurelio bao camille "
    "dmitri elif fionn greta hamid ines joaquin keiko lars marisol nikhil olu paz radek sven "
    "tuva uma viggo yara zeynep"
).split()
_LAST = (
    "okafor lindqvist tanaka moreau kowalski haddad ferreira novak brennan iyer castellanos "
    "mwangi dubois schneider rahman oconnell petrov silva yamamoto andersen nakamura hughes "
    "varga bianchi duarte kaur lehmann ndiaye ortega pham quinn rossi sato tremblay ueda "
    "vasquez wojcik xu zielinski abara"
).split()
_SYL = (
    "zen ko vari tal mon flux bright orbit lum dat nex quill ferro hal cyan tera mint roc sol "
    "vox kel aro brio cal dyn eko fen gal hexa ion jov kai lyra mer nova opal pix rho sel tor "
    "umi ven wyn yel zor"
).split()
_TLDS = (
    "io dev com net co de fr nl se ch at com.au co.uk co.jp com.br tech app ai cloud systems "
    "org eu pl es it ca in fi no dk be cz pt ie nz sg"
).split()
_IDN_DOMAINS = (
    "bäckerei-krüger.de", "müller-logistik.at", "électricité-dupont.fr", "förlaget-ström.se",
    "zürich-taxi.ch", "københavn-bryg.dk", "añejo-bodega.es", "straßenbahn-nord.de",
)
# first octets with no special-purpose, documentation, CGNAT or resolver space under them
_PUB_OCTETS = (
    3, 5, 13, 15, 18, 20, 23, 31, 34, 35, 37, 40, 44, 46, 47, 50, 51, 52, 54, 62, 63, 65, 66, 68,
    69, 70, 72, 74, 78, 79, 80, 81, 82, 83, 85, 86, 87, 88, 89, 90, 91, 92, 93, 95, 96, 99, 101,
    103, 104, 107, 108, 109, 128, 129, 130, 131, 134, 135, 137, 138, 139, 141, 142, 143, 144, 146,
    147, 151, 152, 154, 157, 158, 159, 161, 162, 164, 165, 167, 168, 170, 173, 176, 178, 180, 188,
    190, 193, 194, 196, 199, 200, 201, 202, 204, 205, 206, 207, 209, 212, 213, 216, 217, 220, 221,
)
_V6_PREFIXES = (
    "2a01:4f8", "2a01:4f9", "2600:1f18", "2600:1f14", "2a05:d018", "2a05:d014", "2604:a880",
    "2001:41d0", "2a03:b0c0", "2406:da18", "2a02:c207", "2a00:1450", "2607:f8b0", "2a0e:97c0",
)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _b64url_nopad(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class _Gen:
    """Value generators; every method takes one optional string argument from the template."""

    def __init__(self, rng: random.Random):
        self.r = rng

    # -------------------------------------------------------------------------- helpers
    def _s(self, alphabet: str, n: int) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def _bytes(self, n: int) -> bytes:
        return bytes(self.r.getrandbits(8) for _ in range(n))

    def _n(self, arg, default: int) -> int:
        return int(arg) if arg else default

    # -------------------------------------------------------------------------- passwords
    def _pw_core(self, syms: str) -> str:
        r = self.r
        w = lambda: r.choice(_WORDS)  # noqa: E731
        while True:
            st = r.randrange(9)
            if st == 0:
                v = w().capitalize() + r.choice(syms) + w().capitalize() + str(r.randrange(10, 9999))
            elif st == 1:
                leet = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5"}
                base = w() + w()
                v = "".join(leet.get(c, c) if r.random() < 0.5 else c for c in base)
                v = v[0].upper() + v[1:] + r.choice(syms) + str(r.randrange(1, 99))
            elif st == 2:
                n = r.randrange(10, 19)
                v = r.choice(_AL) + self._s(_AL + syms * 2, n - 3) + r.choice(syms) + r.choice(string.digits)
            elif st == 3:
                seps = [c for c in syms if c in "-._+"] or ["-"]
                sep = r.choice(seps)
                v = sep.join(w() for _ in range(r.randrange(3, 5))) + sep + str(r.randrange(2, 999))
            elif st == 4:
                v = self._s(_AL, r.randrange(16, 25))
            elif st == 5:
                v = w().capitalize() + str(r.randrange(1990, 2031)) + r.choice(syms) + self._s(_LOW, r.randrange(0, 4))
            elif st == 6:
                v = "".join(self._s(_AL, 3) + r.choice(syms) for _ in range(r.randrange(2, 4))) + self._s(string.digits, 2)
            elif st == 7:
                v = self._s(string.ascii_uppercase, 2) + str(r.randrange(10, 99)) + r.choice(syms) + w() + r.choice(syms) + w().capitalize()
            else:
                v = r.choice(_AL) + self._s(_AL + syms, r.randrange(20, 33))
            if len(v) >= 8 and v[0].isalnum() and any(c.isdigit() for c in v):
                return v

    def pw(self, arg=None) -> str:
        """A general password: letters, digits and ``!#%^*-_.+=?@~`` (never quotes/backslash/$)."""
        return self._pw_core("!#%^*-_.+=?@~")

    def pwa(self, arg=None) -> str:
        """A URL-, shell- and ini-safe password (symbols limited to ``-_.+=``)."""
        return self._pw_core("-_.+=")

    def pwx(self, arg=None) -> str:
        """Password with no symbols that need care in ``key=value&...`` bodies or batch files."""
        return self._pw_core("-_.")

    def pwr(self, arg=None) -> str:
        """A machine-generated password: random alphanumerics (sometimes with ``-``/``_``)."""
        alpha = self.r.choice([_AL, _AL, _AL + "-_", _LOW])
        v = self.r.choice(_AL) + self._s(alpha, self._n(arg, self.r.randrange(14, 33)) - 1)
        return v if any(c.isdigit() for c in v) else v + str(self.r.randrange(10, 99))

    def pwpct(self, arg=None) -> str:
        """A password with URL-reserved characters, percent-encoded as it is written in a URL."""
        base = self._pw_core("!*-_.~")
        spec = self.r.choice("@#:/?$&")
        i = self.r.randrange(1, len(base))
        raw = base[:i] + spec + base[i:]
        if self.r.random() < 0.4:
            j = self.r.randrange(1, len(raw))
            raw = raw[:j] + self.r.choice("@%!^") + raw[j:]
        return quote(raw, safe="!*-_.~")

    def pwesc(self, arg=None) -> str:
        """A password containing an escaped quote or backslash, spelled as in a string literal."""
        base = self._pw_core("!#%^*-_.+=?~")
        i = self.r.randrange(1, len(base))
        return base[:i] + self.r.choice(['\\"', "\\\\", '\\"']) + base[i:]

    def pwjcl(self, arg=None) -> str:
        """A mainframe password: 8 characters, upper-case letters and digits."""
        while True:
            v = self.r.choice(string.ascii_uppercase) + self._s(_UP + "#@", 7)
            if any(c.isdigit() for c in v):
                return v

    def pwora(self, arg=None) -> str:
        """An unquoted Oracle password: letter first, then letters, digits, ``_`` and ``#``."""
        w = self.r.choice(_WORDS).capitalize()
        return w + "_" + self._s(_AL, self.r.randrange(4, 8)) + str(self.r.randrange(10, 99))

    def rclone_obscured(self, arg=None) -> str:
        return _b64url_nopad(self._bytes(self.r.randrange(20, 40)))

    def pin(self, arg=None) -> str:
        return str(self.r.randrange(10**7, 10**9))

    # -------------------------------------------------------------------------- e-mail
    def domain(self, arg=None) -> str:
        r = self.r
        brand = "".join(r.choice(_SYL) for _ in range(r.randrange(2, 4)))
        if r.random() < 0.25:
            brand += r.choice(["-labs", "hq", "-group", "tech", "-works", "-data"])
        return f"{brand}.{r.choice(_TLDS)}"

    def email(self, arg=None) -> str:
        r = self.r
        f, l = r.choice(_FIRST), r.choice(_LAST)
        dom = self.domain()
        st = r.randrange(10)
        if st == 0:
            local = f"{f}.{l}"
        elif st == 1:
            local = f"{f[0]}{l}"
        elif st == 2:
            local = f"{f}_{l}{r.randrange(1, 99)}"
        elif st == 3:
            local = f"{f}.{l}+{r.choice(['ci', 'alerts', 'billing', 'github', 'jira', 'qa'])}"
        elif st == 4:
            local = r.choice(["ops", "devops", "sre-oncall", "platform-team", "billing", "dba",
                              "security", "release-bot", "data-eng", "infra", "noc", "it-helpdesk"])
        elif st == 5:
            local = f"{f}.{l}"
            dom = f"{r.choice(['mail', 'eu', 'corp', 'us', 'lab', 'ops'])}.{dom}"
        elif st == 6:
            local = f"{f}"
        elif st == 7:
            local = f"{l}.{f[0]}"
        elif st == 8:
            local = f"{f}-{l}"
        else:
            local = f"{f[0]}.{l}"
            dom = r.choice(_IDN_DOMAINS) if r.random() < 0.6 else dom
        return f"{local}@{dom}"

    def sa_email(self, arg=None) -> str:
        """Service-account style addresses; arg picks the style (gcp, compute, gh, svc)."""
        r = self.r
        st = {"gcp": 0, "compute": 1, "gh": 2, "svc": 3}.get(arg or "", r.randrange(4))
        if st == 0:
            proj = "-".join(r.choice(_SYL) for _ in range(2)) + "-" + str(r.randrange(100000, 999999))
            return f"{r.choice(['deployer', 'ci-runner', 'bq-loader', 'terraform', 'gke-nodes'])}@{proj}.iam.gserviceaccount.com"
        if st == 1:
            return f"{r.randrange(10**11, 10**12)}-compute@developer.gserviceaccount.com"
        if st == 2:
            return f"{r.randrange(10**6, 10**8)}+{r.choice(_FIRST)}{r.choice(_LAST)}@users.noreply.github.com"
        return f"{r.choice(['svc-backup', 'svc-jenkins', 'svc-sql', 'svc-ldap'])}@{r.choice(['ad', 'corp', 'int'])}.{self.domain()}"

    # -------------------------------------------------------------------------- ip addresses
    def ip4(self, arg=None) -> str:
        r = self.r
        return f"{r.choice(_PUB_OCTETS)}.{r.randrange(0, 256)}.{r.randrange(0, 256)}.{r.randrange(1, 255)}"

    def ip6(self, arg=None) -> str:
        r = self.r
        pre = r.choice(_V6_PREFIXES)
        hx = lambda: format(r.randrange(1, 0x10000), "x")  # noqa: E731
        if r.random() < 0.5:
            return pre + ":" + ":".join(hx() for _ in range(6))
        return pre + ":" + ":".join(hx() for _ in range(r.randrange(1, 4))) + "::" + hx()

    def priv4(self, arg=None) -> str:
        r = self.r
        st = r.randrange(3)
        if st == 0:
            return f"10.{r.randrange(0, 256)}.{r.randrange(0, 256)}.{r.randrange(2, 254)}"
        if st == 1:
            return f"172.{r.randrange(16, 32)}.{r.randrange(0, 256)}.{r.randrange(2, 254)}"
        return f"192.168.{r.randrange(0, 256)}.{r.randrange(2, 254)}"

    # -------------------------------------------------------------------------- generic strings
    def hex(self, arg=None) -> str:
        return self._s(_HEX, self._n(arg, 32))

    def HEX(self, arg=None) -> str:
        return self._s(_HEX.upper(), self._n(arg, 32))

    def al(self, arg=None) -> str:
        return self._s(_AL, self._n(arg, 32))

    def low(self, arg=None) -> str:
        return self._s(_LOW, self._n(arg, 32))

    def b64(self, arg=None) -> str:
        return _b64(self._bytes(self._n(arg, 32)))

    def b64u(self, arg=None) -> str:
        return self._s(_B64U, self._n(arg, 43))

    def digits(self, arg=None) -> str:
        return str(self.r.randrange(1, 10)) + self._s(string.digits, self._n(arg, 12) - 1)

    def up(self, arg=None) -> str:
        return self._s(_UP, self._n(arg, 10))

    def fingerprint(self, arg=None) -> str:
        return ":".join(self._s(_HEX, 2) for _ in range(32))

    def agepub(self, arg=None) -> str:
        return self._s(_BECH.lower(), 58)

    def mac(self, arg=None) -> str:
        return ":".join(self._s(_HEX, 2) for _ in range(6))

    def cloudid(self, arg=None) -> str:
        return _b64(f"eu-west-1.aws.found.io${self.hex(32)}${self.hex(32)}".encode())

    def uuid(self, arg=None) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def word(self, arg=None) -> str:
        return self.r.choice(_WORDS)

    def user(self, arg=None) -> str:
        return self.r.choice(_FIRST) + self.r.choice(["", ".", "_"]) + self.r.choice(_LAST)

    # -------------------------------------------------------------------------- provider keys
    def aws_akid(self, arg=None) -> str:
        return self.r.choice(["AKIA", "AKIA", "ASIA"]) + self._s("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)

    def aws_secret(self, arg=None) -> str:
        return self._s(_B64, 40)

    def ghp(self, arg=None) -> str:
        return self.r.choice(["ghp_", "ghp_", "gho_", "ghs_", "ghu_"]) + self._s(_AL, 36)

    def github_pat(self, arg=None) -> str:
        return "github_pat_11" + self._s(_UP, 20) + "_" + self._s(_AL, 59)

    def glpat(self, arg=None) -> str:
        return self.r.choice(["glpat-", "glpat-", "glrt-", "gldt-"]) + self._s(_AL + "-_", 20)

    def xoxb(self, arg=None) -> str:
        p = self.r.choice(["xoxb", "xoxb", "xoxp", "xoxe.xoxp-1"])
        return f"{p}-{self.digits(13)}-{self.digits(13)}-{self._s(_AL, 24)}"

    def slack_hook(self, arg=None) -> str:
        return f"T{self._s(_UP, 10)}/B{self._s(_UP, 10)}/{self._s(_AL, 24)}"

    def sk_live(self, arg=None) -> str:
        p = self.r.choice(["sk_live_", "sk_live_", "rk_live_"])
        return p + self._s(_AL, self.r.choice([24, 99]))

    def pk_live(self, arg=None) -> str:
        return "pk_live_" + self._s(_AL, 99)

    def whsec(self, arg=None) -> str:
        return "whsec_" + self._s(_AL, 32)

    def aiza(self, arg=None) -> str:
        return "AIza" + self._s(_B64U, 35)

    def gocspx(self, arg=None) -> str:
        return "GOCSPX-" + self._s(_B64U, 28)

    def ya29(self, arg=None) -> str:
        return "ya29.a0" + self._s(_B64U, 150)

    def az_storage(self, arg=None) -> str:
        return _b64(self._bytes(64))

    def az_secret(self, arg=None) -> str:
        return self._s(_AL, 3) + self.r.choice(string.digits) + "Q~" + self._s(_AL + "_.~-", 34)

    def openai(self, arg=None) -> str:
        if self.r.random() < 0.5:
            return "sk-proj-" + self._s(_B64U, 74) + "T3BlbkFJ" + self._s(_B64U, 74)
        return "sk-" + self._s(_AL, 20) + "T3BlbkFJ" + self._s(_AL, 20)

    def anthropic(self, arg=None) -> str:
        return "sk-ant-api03-" + self._s(_B64U, 93) + "AA"

    def atlassian(self, arg=None) -> str:
        return "ATATT3xFfGF0" + self._s(_B64U, 170) + "=" + self._s(_HEX.upper(), 8)

    def asana(self, arg=None) -> str:
        return f"{self.r.choice('12')}/{self.digits(16)}/{self.digits(16)}:{self.hex(32)}"

    def airtable(self, arg=None) -> str:
        return "pat" + self._s(_AL, 14) + "." + self.hex(64)

    def notion(self, arg=None) -> str:
        if self.r.random() < 0.5:
            return "secret_" + self._s(_AL, 43)
        return "ntn_" + self.digits(12) + self._s(_AL, 34)

    def linear(self, arg=None) -> str:
        return "lin_api_" + self._s(_AL, 40)

    def figma(self, arg=None) -> str:
        return "figd_" + self._s(_B64U, 40)

    def netlify(self, arg=None) -> str:
        return "nfp_" + self._s(_AL, 36)

    def supabase(self, arg=None) -> str:
        return "sbp_" + self.hex(40)

    def pscale(self, arg=None) -> str:
        return self.r.choice(["pscale_pw_", "pscale_tkn_", "pscale_oauth_"]) + self._s(_B64U, 43)

    def pscale_pw(self, arg=None) -> str:
        return "pscale_pw_" + self._s(_B64U, 43)

    def fly(self, arg=None) -> str:
        return "fo1_" + self._s(_B64U, 43)

    def render(self, arg=None) -> str:
        return "rnd_" + self._s(_AL, 32)

    def clerk(self, arg=None) -> str:
        return "sk_live_" + self._s(_AL, 42)

    def clerk_pk(self, arg=None) -> str:
        return "pk_live_" + _b64(f"clerk.{self.domain()}$".encode()).rstrip("=")

    def ably(self, arg=None) -> str:
        return f"{self._s(_B64U, 6)}.{self._s(_B64U, 6)}:{self._s(_B64U, 43)}"

    def mapbox(self, arg=None) -> str:
        user = self.r.choice(_FIRST) + self.r.choice(_LAST)
        mid = _b64url_nopad(json.dumps({"u": user, "a": self.low(25)}, separators=(",", ":")).encode())
        return f"sk.{mid}.{self._s(_B64U, 22)}"

    def contentful(self, arg=None) -> str:
        return "CFPAT-" + self._s(_B64U, 43)

    def sanity(self, arg=None) -> str:
        return "sk" + self._s(_AL, 180)

    def segment(self, arg=None) -> str:
        return "sgp_" + self._s(_AL, 64)

    def ld(self, arg=None) -> str:
        return self.r.choice(["sdk-", "api-"]) + self.uuid()

    def sentry(self, arg=None) -> str:
        if self.r.random() < 0.5:
            return "sntryu_" + self.hex(64)
        body = _b64url_nopad(json.dumps({"iat": self.r.randrange(1_600_000_000, 1_800_000_000), "url": "https://sentry.io",
                                         "org": self.r.choice(_SYL) + self.r.choice(_SYL)},
                                        separators=(",", ":")).encode())
        return "sntrys_" + body + "_" + self._s(_B64U, 43)

    def newrelic(self, arg=None) -> str:
        st = self.r.randrange(3)
        if st == 0:
            return "NRAK-" + self._s(_UP, 27)
        if st == 1:
            return self.hex(36) + "NRAL"
        return "NRII-" + self._s(_B64U, 32)

    def dynatrace(self, arg=None) -> str:
        return "dt0c01." + self._s(_UP, 24) + "." + self._s(_UP, 64)

    def sonar(self, arg=None) -> str:
        return self.r.choice(["squ_", "sqp_", "sqa_"]) + self.hex(40)

    def circleci(self, arg=None) -> str:
        return "CCIPAT_" + self._s(_AL, 22) + "_" + self.hex(40)

    def bkua(self, arg=None) -> str:
        return "bkua_" + self.hex(40)

    def tfc(self, arg=None) -> str:
        return self._s(_AL, 14) + ".atlasv1." + self._s(_AL, 67)

    def vault(self, arg=None) -> str:
        return self.r.choice(["hvs.", "hvs.", "hvb."]) + "CAESI" + self._s(_B64U, 86)

    def okta(self, arg=None) -> str:
        return "00" + self._s(_B64U, 40)

    def twitter_bearer(self, arg=None) -> str:
        return "A" * 22 + self._s(_AL, 12) + "%2B" + self._s(_AL, 30) + "%3D" + self._s(_AL, 50)

    def fb_token(self, arg=None) -> str:
        return self.r.choice(["EAAB", "EAAG", "EAAJ"]) + self._s(_AL, 180)

    def instagram(self, arg=None) -> str:
        return "IGQV" + self._s(_B64U, 150)

    def dropbox(self, arg=None) -> str:
        return self.r.choice(["sl.", "sl.u."]) + self._s(_B64U, 136)

    def square(self, arg=None) -> str:
        if self.r.random() < 0.5:
            return "EAAA" + self._s(_B64U, 60)
        return "sq0csp-" + self._s(_B64U, 43)

    def braintree(self, arg=None) -> str:
        return f"access_token$production${self.low(16)}${self.hex(32)}"

    def paypal(self, arg=None) -> str:
        return "E" + self._s(_B64U, 79)

    def adyen(self, arg=None) -> str:
        return "AQE" + self._s(_AL, 40) + "+" + self._s(_AL, 30) + "=-" + self._s(_B64, 44) + "=-" + self._s(_AL, 12)

    def razorpay(self, arg=None) -> str:
        return "rzp_live_" + self._s(_AL, 14)

    def paystack(self, arg=None) -> str:
        return "sk_live_" + self.hex(40)

    def flutterwave(self, arg=None) -> str:
        return "FLWSECK-" + self.hex(32) + "-X"

    def sendgrid(self, arg=None) -> str:
        return "SG." + self._s(_B64U, 22) + "." + self._s(_B64U, 43)

    def mailgun(self, arg=None) -> str:
        return "key-" + self.hex(32)

    def shopify(self, arg=None) -> str:
        return self.r.choice(["shpat_", "shpss_", "shpca_"]) + self.hex(32)

    def npm(self, arg=None) -> str:
        return "npm_" + self._s(_AL, 36)

    def pypi(self, arg=None) -> str:
        return "pypi-AgEIcHlwaS5vcmc" + self._s(_B64U, 140)

    def nuget(self, arg=None) -> str:
        return "oy2" + self._s(_LOW, 43)

    def cratesio(self, arg=None) -> str:
        return "cio" + self._s(_AL, 32)

    def dockerhub(self, arg=None) -> str:
        return "dckr_pat_" + self._s(_B64U, 27)

    def hf(self, arg=None) -> str:
        return "hf_" + self._s(_AL, 34)

    def digitalocean(self, arg=None) -> str:
        return self.r.choice(["dop_v1_", "doo_v1_"]) + self.hex(64)

    def discord(self, arg=None) -> str:
        return _b64(self.digits(18).encode()).rstrip("=") + "." + self._s(_B64U, 6) + "." + self._s(_B64U, 38)

    def telegram(self, arg=None) -> str:
        return f"{self.digits(10)}:AA{self._s(_B64U, 33)}"

    def cloudflare(self, arg=None) -> str:
        return self._s(_B64U, 40)

    def databricks(self, arg=None) -> str:
        return "dapi" + self.hex(32)

    def grafana(self, arg=None) -> str:
        if self.r.random() < 0.6:
            return "glsa_" + self._s(_AL, 32) + "_" + self.hex(8)
        return "glc_" + _b64(json.dumps({"o": self.digits(6), "n": "stack-" + self.digits(6), "k": self._s(_AL, 24),
                                         "m": {"r": "prod-eu-west-2"}}, separators=(",", ":")).encode())

    def doppler(self, arg=None) -> str:
        return "dp.st." + self.r.choice(["prd.", "dev.", "stg."]) + self._s(_AL, 43)

    def pulumi(self, arg=None) -> str:
        return "pul-" + self.hex(40)

    def age(self, arg=None) -> str:
        return "AGE-SECRET-KEY-1" + self._s(_BECH, 58)

    def influx(self, arg=None) -> str:
        return self._s(_B64U, 86) + "=="

    def twilio(self, arg=None) -> str:
        return self.hex(32)

    def elastic_apikey(self, arg=None) -> str:
        return _b64(f"{self._s(_AL, 20)}:{self._s(_B64U, 22)}".encode())

    def confluent_secret(self, arg=None) -> str:
        return self._s(_B64, 64)

    def confluent_id(self, arg=None) -> str:
        return self._s(_UP, 16)

    def heroku(self, arg=None) -> str:
        return "HRKU-" + self._s(_B64U, 60)

    def terraform_cloud(self, arg=None) -> str:
        return self.tfc()

    def clojars(self, arg=None) -> str:
        return "CLOJARS_" + self.hex(60)

    def jfrog(self, arg=None) -> str:
        if self.r.random() < 0.5:
            return "AKCp" + self._s(_AL, 69)
        return "cmVmdGtuOjAxOj" + self._s(_AL, 50)

    def recaptcha(self, arg=None) -> str:
        return "6L" + self._s(_B64U, 38)

    def google_refresh(self, arg=None) -> str:
        return "1//0" + self._s(_B64U, 99)

    def b2key(self, arg=None) -> str:
        return "K005" + self._s(_AL + "+/", 27)

    def bbapp(self, arg=None) -> str:
        return "ATBB" + self._s(_AL, 32)

    def azdo(self, arg=None) -> str:
        return self._s(_AL, 76) + "AZDO" + self._s(_AL, 4)

    def jwt(self, arg=None) -> str:
        r = self.r
        alg = r.choice(["HS256", "HS256", "RS256", "ES256"])
        hdr = {"alg": alg, "typ": "JWT"}
        now = r.randrange(1_650_000_000, 1_750_000_000)
        payload = {"sub": r.choice([self.uuid(), self.user(), self.digits(9)]), "iat": now,
                   "exp": now + r.choice([3600, 86400, 31536000])}
        if r.random() < 0.4:
            payload["role"] = r.choice(["service_role", "anon", "admin", "reader"])
        if r.random() < 0.4:
            payload["iss"] = "https://" + self.domain()
        sig = self._s(_B64U, 43 if alg == "HS256" else 86)
        enc = lambda d: _b64url_nopad(json.dumps(d, separators=(",", ":")).encode())  # noqa: E731
        return f"{enc(hdr)}.{enc(payload)}.{sig}"

    def basic(self, arg=None) -> str:
        return _b64(f"{self.user()}:{self.pwa()}".encode())

    def django(self, arg=None) -> str:
        return self._s(string.ascii_lowercase + string.digits + "!@#%^*(-_=+)", 50)

    def fernet(self, arg=None) -> str:
        return base64.urlsafe_b64encode(self._bytes(32)).decode()

    def wg(self, arg=None) -> str:
        return _b64(self._bytes(32))

    def erlang_cookie(self, arg=None) -> str:
        return self._s(string.ascii_uppercase, 20)

    # -------------------------------------------------------------------------- PEM blocks
    def _pem(self, label: str, prefix: str, nchars: int, arg, sep: str = "\n") -> str:
        indent = " " * int(arg) if arg and arg.isdigit() else ""
        body = prefix + self._s(_B64, nchars - len(prefix))
        lines = [body[i:i + 64] for i in range(0, len(body), 64)]
        if arg == "json":
            return f"-----BEGIN {label}-----\\n" + "\\n".join(lines) + f"\\n-----END {label}-----"
        joined = ("\n" + indent).join(lines)
        return f"-----BEGIN {label}-----\n{indent}{joined}\n{indent}-----END {label}-----"

    def rsa_block(self, arg=None) -> str:
        return self._pem("RSA PRIVATE KEY", "MIIEpAIBAAKCAQEA", 1588, arg)

    def pkcs8_block(self, arg=None) -> str:
        return self._pem("PRIVATE KEY", "MIIEvgIBADANBgkqhkiG9w0BAQEFAASC", 1620, arg)

    def ec_block(self, arg=None) -> str:
        return self._pem("EC PRIVATE KEY", "MHcCAQEEI", 224, arg)

    def openssh_block(self, arg=None) -> str:
        return self._pem("OPENSSH PRIVATE KEY", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", 396, arg)

    def enc_block(self, arg=None) -> str:
        return self._pem("ENCRYPTED PRIVATE KEY", "MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI", 1760, arg)

    def pgp_block(self, arg=None) -> str:
        indent = " " * int(arg) if arg and arg.isdigit() else ""
        body = "lQVYBGX" + self._s(_B64, 1020)
        lines = [body[i:i + 64] for i in range(0, len(body), 64)] + ["=" + self._s(_B64, 4)]
        joined = ("\n" + indent).join(lines)
        return (f"-----BEGIN PGP PRIVATE KEY BLOCK-----\n{indent}\n{indent}{joined}\n"
                f"{indent}-----END PGP PRIVATE KEY BLOCK-----")

    # public material (hard negatives)
    def cert_block(self, arg=None) -> str:
        return self._pem("CERTIFICATE", "MIIDdzCCAl+gAwIBAgIU", 1200, arg)

    def pub_block(self, arg=None) -> str:
        return self._pem("PUBLIC KEY", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", 392, arg)

    def sshpub(self, arg=None) -> str:
        if self.r.random() < 0.5:
            return "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + self._s(_B64, 43)
        return "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ" + self._s(_B64, 510)

    # hashes (hard negatives)
    def sri(self, arg=None) -> str:
        return "sha512-" + _b64(self._bytes(64))

    def bcrypt(self, arg=None) -> str:
        return f"$2{self.r.choice('aby')}${self.r.choice(['10', '12', '14'])}$" + self._s(_CRYPT, 53)

    def argon2(self, arg=None) -> str:
        return (f"$argon2id$v=19$m=65536,t=3,p=4${_b64(self._bytes(16)).rstrip('=')}$"
                f"{_b64(self._bytes(32)).rstrip('=')}")

    def pbkdf2(self, arg=None) -> str:
        return f"pbkdf2_sha256$600000${self._s(_AL, 22)}${_b64(self._bytes(32))}"

    def sha512crypt(self, arg=None) -> str:
        return f"$6${self._s(_CRYPT, 16)}${self._s(_CRYPT, 86)}"

    def apr1(self, arg=None) -> str:
        return f"$apr1${self._s(_CRYPT, 8)}${self._s(_CRYPT, 22)}"

    def ssha(self, arg=None) -> str:
        return "{SSHA}" + _b64(self._bytes(24))

    def mysqlhash(self, arg=None) -> str:
        return "*" + self._s(_HEX.upper(), 40)

    def ver4(self, arg=None) -> str:
        r = self.r
        return f"{r.randrange(1, 20)}.{r.randrange(0, 30)}.{r.randrange(0, 9999)}.{r.randrange(0, 999)}"


_SLOT = re.compile(r"«(?:([eikp]):)?([A-Za-z0-9_]+)(?:\(([^)]*)\))?(?:#(\w+))?»")
_KIND = {"e": "email", "i": "ip_address", "k": "key", "p": "password"}
_DOCS: list[tuple[str, str]] = []


def _d(name: str, template: str) -> None:
    _DOCS.append((name, template.lstrip("\n")))


def _render(name: str, template: str, seed: int) -> str:
    g = _Gen(random.Random(f"testset9:{seed}:{name}"))
    memo: dict[tuple, str] = {}

    def sub(m: re.Match) -> str:
        kind, gen, arg, tag = m.groups()
        key = (gen, arg, tag)
        if tag and key in memo:
            value = memo[key]
        else:
            value = getattr(g, gen)(arg)
            if tag:
                memo[key] = value
        return f"⟦{_KIND[kind]}|{value}⟧" if kind else value

    return _SLOT.sub(sub, template)


# ================================================================================== documents

_d("ledgerly/config/runtime.exs", r'''
import Config

# config/runtime.exs is executed for all environments, including
# during releases. It is executed after compilation and before the
# system starts, so it is typically used to load production configuration
# and secrets from environment variables or elsewhere.

if System.get_env("PHX_SERVER") do
  config :ledgerly, LedgerlyWeb.Endpoint, server: true
end

if config_env() == :prod do
  database_url =
    System.get_env("DATABASE_URL") ||
      raise """
      environment variable DATABASE_URL is missing.
      For example: ecto://USER:PASS@HOST/DATABASE
      """

  maybe_ipv6 = if System.get_env("ECTO_IPV6") in ~w(true 1), do: [:inet6], else: []

  config :ledgerly, Ledgerly.Repo,
    url: database_url,
    pool_size: String.to_integer(System.get_env("POOL_SIZE") || "10"),
    socket_options: maybe_ipv6

  config :ledgerly, Ledgerly.ReportingRepo,
    username: "reporting_ro",
    password: "«p:pw»",
    hostname: "«i:ip4»",
    database: "ledgerly_reporting",
    ssl: true

  secret_key_base = "«k:b64(48)»"

  host = System.get_env("PHX_HOST") || "app.ledgerly.io"
  port = String.to_integer(System.get_env("PORT") || "4000")

  config :ledgerly, LedgerlyWeb.Endpoint,
    url: [host: host, port: 443, scheme: "https"],
    http: [ip: {0, 0, 0, 0, 0, 0, 0, 0}, port: port],
    secret_key_base: secret_key_base

  config :ledgerly, Ledgerly.Mailer,
    adapter: Swoosh.Adapters.Sendgrid,
    api_key: "«k:sendgrid»"

  config :ledgerly, :ops_contact, "«e:email»"

  config :ledgerly, :stripe,
    secret_key: "«k:sk_live»",
    publishable_key: "«pk_live»",
    webhook_secret: System.fetch_env!("STRIPE_WEBHOOK_SECRET")

  config :libcluster,
    topologies: [
      k8s: [
        strategy: Cluster.Strategy.Kubernetes.DNS,
        config: [service: "ledgerly-headless", application_name: "ledgerly"]
      ]
    ]
end
''')

_d("billing_core/config/sys.config", r'''
%% -*- mode: erlang -*-
%% Production system configuration for billing_core. Rendered by relx.
[
 {kernel, [
   {logger_level, info},
   {inet_dist_use_interface, {127,0,0,1}}
 ]},

 {pgo, [
   {pools, [
     {default, #{pool_size => 10,
                 host => "«i:ip4»",
                 port => 5432,
                 database => "billing",
                 user => "billing_app",
                 password => "«p:pw»"}}
   ]}
 ]},

 {ranch_proxy, [
   {listen_ip, {0,0,0,0}},
   {trusted_proxies, [{10,0,0,0}, {172,16,4,12}, {192,168,1,2}]}
 ]},

 {erlcloud, [
   {aws_access_key_id, "«k:aws_akid»"},
   {aws_secret_access_key, "«k:aws_secret»"},
   {aws_region, "eu-central-1"}
 ]},

 {gen_smtp, [
   {relay, "smtp.«domain»"},
   {port, 587},
   {username, "«e:email#smtp»"},
   {password, "«p:pwa»"},
   {from, "«e:email#smtp»"}
 ]},

 {billing_core, [
   {webhook_signing_secret, <<"«k:hex(64)»">>},
   {release_sha, "«hex(40)»"},
   {ntp_servers, ["10.0.0.1", "10.0.0.2"]},
   {resolvers, [{8,8,8,8}, {1,1,1,1}]},
   {schema_version, "2.14.0.3"}
 ]}
].
''')

_d("ingest/project.clj", r'''
(defproject com.ferrohal/ingest "2.14.0-SNAPSHOT"
  :description "Event ingestion service"
  :url "https://git.ferrohal.dev/platform/ingest"
  :license {:name "EPL-2.0" :url "https://www.eclipse.org/legal/epl-2.0/"}
  :dependencies [[org.clojure/clojure "1.11.1"]
                 [com.github.seancorfield/next.jdbc "1.3.909"]
                 [org.postgresql/postgresql "42.7.1"]
                 [hikari-cp "3.0.1"]
                 [aero "1.1.6"]
                 [integrant "0.8.1"]
                 [metosin/reitit "0.7.0-alpha7"]]
  :repositories [["releases" {:url "https://nexus.ferrohal.dev/repository/maven-releases/"
                              :username "deploy"
                              :password "«p:pw»"
                              :sign-releases false}]
                 ["snapshots" {:url "https://nexus.ferrohal.dev/repository/maven-snapshots/"
                               :username :env/nexus_user
                               :password :env/nexus_password}]
                 ["clojars" {:url "https://repo.clojars.org"
                             :username "«user»"
                             :password "«k:clojars»"}]]
  :plugins [[lein-ancient "1.0.0-RC3"]
            [lein-cloverage "1.2.4"]]
  :profiles {:dev {:dependencies [[ring/ring-mock "0.4.0"]
                                  [integrant/repl "0.3.3"]]
                   :source-paths ["dev"]
                   :env {:database-url "jdbc:postgresql://localhost:5432/ingest_dev?user=ingest&password=«p:pwa»"
                         :kafka-bootstrap "localhost:9092"}}
             :test {:env {:database-url "jdbc:postgresql://127.0.0.1:5432/ingest_test"}}
             :uberjar {:aot :all
                       :jvm-opts ["-Dclojure.compiler.direct-linking=true"]}}
  :main ^:skip-aot ferrohal.ingest.main
  :target-path "target/%s")
''')

_d("inventory-api/src/App/Config.hs", r'''
{-# LANGUAGE OverloadedStrings #-}
module App.Config
  ( AppConfig(..)
  , defaultConfig
  , pgConnectInfo
  , replicaInfo
  ) where

import Data.Text (Text)
import Database.PostgreSQL.Simple (ConnectInfo(..))
import Network.Socket (HostAddress, tupleToHostAddress)
import System.Environment (lookupEnv)

data AppConfig = AppConfig
  { cfgPort          :: Int
  , cfgJwtSecret     :: Text
  , cfgSlackWebhook  :: Text
  , cfgBindAddress   :: (Int, Int, Int, Int)
  , cfgAdminEmail    :: Text
  , cfgPasswordMinLength :: Int
  } deriving (Show)

defaultConfig :: AppConfig
defaultConfig = AppConfig
  { cfgPort         = 8080
  , cfgJwtSecret    = "«k:b64(32)»"
  , cfgSlackWebhook = "https://hooks.slack.com/services/«k:slack_hook»"
  , cfgBindAddress  = (0, 0, 0, 0)
  , cfgAdminEmail   = "«e:email»"
  , cfgPasswordMinLength = 12
  }

pgConnectInfo :: ConnectInfo
pgConnectInfo = ConnectInfo
  { connectHost     = "«i:ip4»"
  , connectPort     = 5432
  , connectUser     = "inventory_app"
  , connectPassword = "«p:pw»"
  , connectDatabase = "inventory"
  }

-- | Local replica used by the integration suite.
replicaInfo :: ConnectInfo
replicaInfo = pgConnectInfo { connectHost = "10.20.0.14", connectPassword = "«p:pwa»" }

-- | Read the secret from the environment, falling back to the compiled default.
loadJwtSecret :: IO (Maybe String)
loadJwtSecret = lookupEnv "JWT_SECRET"

bindHost :: HostAddress
bindHost = tupleToHostAddress (192, 168, 1, 2)
''')

_d("inventory-api/stack.yaml.lock", r'''
# This file was autogenerated by Stack.
# You should not edit this file by hand.
# For more information, please see the documentation at:
#   https://docs.haskellstack.org/en/stable/lock_files

packages:
- completed:
    hackage: servant-auth-server-0.4.8.0@sha256:«hex(64)»,3415
    pantry-tree:
      sha256: «hex(64)»
      size: 1744
  original:
    hackage: servant-auth-server-0.4.8.0
- completed:
    hackage: jose-0.10.0.1@sha256:«hex(64)»,4210
    pantry-tree:
      sha256: «hex(64)»
      size: 2913
  original:
    hackage: jose-0.10.0.1
- completed:
    commit: «hex(40)»
    git: https://github.com/haskellari/postgresql-simple.git
    name: postgresql-simple
    pantry-tree:
      sha256: «hex(64)»
      size: 5012
    version: 0.7.0.0
  original:
    commit: «hex(40)»
    git: https://github.com/haskellari/postgresql-simple.git
- completed:
    hackage: password-3.0.4.0@sha256:«hex(64)»,2841
    pantry-tree:
      sha256: «hex(64)»
      size: 1210
  original:
    hackage: password-3.0.4.0
snapshots:
- completed:
    sha256: «hex(64)»
    size: 650465
    url: https://raw.githubusercontent.com/commercialhaskell/stackage-snapshots/master/lts/22/7.yaml
  original: lts-22.7
''')

_d("ledger/test/test_store.ml", r'''
(* Integration tests for the Caqti-backed store. Run with: dune test *)
open Lwt.Syntax

let pg_uri =
  Uri.of_string
    "postgresql://ledger_test:«p:pwpct»@«i:ip4»:5432/ledger_test?sslmode=require"

let fallback_uri =
  Sys.getenv_opt "LEDGER_DB_URI"
  |> Option.value ~default:"postgresql://localhost/ledger"
  |> Uri.of_string

let mailgun_key = "«k:mailgun»"

let webhook_secret = Sys.getenv "LEDGER_WEBHOOK_SECRET"

let fixture_user =
  { Store.email = "«e:email»"
  ; password = "«p:pw»"
  ; password_hash = "«argon2»"
  ; role = `Admin
  }

let test_insert_user _switch () =
  let* pool = Store.connect pg_uri in
  let* id = Store.insert_user pool fixture_user in
  Alcotest.(check bool) "positive id" true (id > 0);
  Lwt.return_unit

let test_reset_password_url _switch () =
  let url = Store.reset_password_url ~token:"<token>" in
  Alcotest.(check string) "url" "https://ledger.local/reset?t=<token>" url;
  Lwt.return_unit

let () =
  Lwt_main.run
  @@ Alcotest_lwt.run "store"
       [ ( "users"
         , [ Alcotest_lwt.test_case "insert" `Quick test_insert_user
           ; Alcotest_lwt.test_case "reset url" `Quick test_reset_password_url
           ] )
       ]
''')

_d("orbit/build.fsx", r'''
#r "paket:
nuget Fake.DotNet.Cli
nuget Fake.DotNet.NuGet
nuget Fake.IO.FileSystem
nuget Fake.Core.Target //"
#load ".fake/build.fsx/intellisense.fsx"

open Fake.Core
open Fake.DotNet
open Fake.IO
open Fake.IO.Globbing.Operators

let nugetApiKey =
    match Environment.environVarOrNone "NUGET_API_KEY" with
    | Some k -> k
    | None -> "«k:nuget»"

let feedUrl = "https://pkgs.dev.azure.com/tal-orbit/_packaging/internal/nuget/v3/index.json"
let feedUser = "«e:email»"
let feedPat = Environment.environVarOrDefault "AZDO_PAT" ""

Target.create "Clean" (fun _ -> !! "src/**/bin" ++ "src/**/obj" |> Shell.cleanDirs)

Target.create "Build" (fun _ ->
    !! "src/**/*.fsproj" |> Seq.iter (DotNet.build id))

Target.create "Publish" (fun _ ->
    !! "src/**/bin/Release/*.nupkg"
    |> Seq.iter (fun pkg ->
        DotNet.nugetPush (fun p ->
            { p with
                PushParams =
                    { p.PushParams with
                        ApiKey = Some nugetApiKey
                        Source = Some "https://api.nuget.org/v3/index.json" } }) pkg))

Target.create "SmokeTest" (fun _ ->
    let conn =
        "Server=«i:ip4»,1433;Database=Orbit;User Id=orbit_smoke;Password=«p:pwa»;Encrypt=True"
    Trace.log (sprintf "smoke test against %s" (conn.Split(';').[0])))

open Fake.Core.TargetOperators
"Clean" ==> "Build" ==> "Publish"
Target.runOrDefault "Build"
''')

_d("lumvox-streams/build.sbt", r'''
ThisBuild / organization := "io.lumvox"
ThisBuild / scalaVersion := "2.13.12"
ThisBuild / version      := "0.9.3"

ThisBuild / developers := List(
  Developer("ksato", "Keiko Sato", "«e:email»", url("https://github.com/ksato"))
)

credentials += Credentials(
  "Sonatype Nexus Repository Manager",
  "nexus.lumvox.io",
  "ci-publisher",
  "«p:pw»"
)
credentials += Credentials(Path.userHome / ".sbt" / ".credentials")
credentials ++= sys.env.get("GITHUB_TOKEN").map { t =>
  Credentials("GitHub Package Registry", "maven.pkg.github.com", "_", t)
}

publishTo := Some("releases" at "https://nexus.lumvox.io/repository/maven-releases/")

lazy val root = (project in file("."))
  .settings(
    name := "lumvox-streams",
    libraryDependencies ++= Seq(
      "com.typesafe.akka" %% "akka-stream"      % "2.6.20",
      "com.typesafe.slick" %% "slick-hikaricp"  % "3.4.1",
      "org.postgresql"      % "postgresql"       % "42.6.0",
      "org.scalatest"      %% "scalatest"        % "3.2.17" % Test
    ),
    Test / fork := true,
    Test / javaOptions ++= Seq(
      "-Ddb.url=jdbc:postgresql://«i:ip4»:5432/streams_it",
      "-Ddb.user=streams",
      "-Ddb.password=«p:pwa»",
      "-Dakka.remote.artery.canonical.hostname=127.0.0.1"
    ),
    Test / envVars := Map("PACT_BROKER_TOKEN" -> "«k:al(22)»")
  )
''')

_d("mobile-sdk/gradle.properties", r'''
# Project-wide Gradle settings.
org.gradle.jvmargs=-Xmx4g -XX:MaxMetaspaceSize=1g -Dfile.encoding=UTF-8
org.gradle.parallel=true
org.gradle.caching=true
org.gradle.configuration-cache=true
kotlin.code.style=official
android.useAndroidX=true
android.nonTransitiveRClass=true

VERSION_NAME=5.12.0
VERSION_CODE=5120043
GROUP=dev.brioxu
POM_ARTIFACT_ID=brioxu-sdk

# Publishing (Maven Central portal user token)
mavenCentralUsername=«al(8)»
mavenCentralPassword=
signing.keyId=«HEX(8)»
signing.password=«p:pw»
signing.secretKeyRingFile=/home/ci/.gnupg/secring.gpg
POM_DEVELOPER_EMAIL=«e:email»

# Corporate proxy
systemProp.http.proxyHost=«i:ip4#proxy»
systemProp.http.proxyPort=3128
systemProp.https.proxyHost=«i:ip4#proxy»
systemProp.https.proxyPort=3128
systemProp.https.proxyUser=gradle
systemProp.https.proxyPassword=«p:pwa»
systemProp.http.nonProxyHosts=localhost|127.0.0.1|10.*|*.brioxu.internal

# Artifactory
artifactory_contextUrl=https://brioxu.jfrog.io/artifactory
artifactory_user=ci-artifactory
artifactory_password=«k:jfrog»
sonar.token=«k:sonar»
''')

_d("api/Jenkinsfile", r"""
@Library('shared-pipeline@v4.2.1') _

pipeline {
  agent { label 'docker && linux' }
  options {
    timestamps()
    buildDiscarder(logRotator(numToKeepStr: '30'))
  }
  environment {
    REGISTRY    = 'registry.cyanmint.de'
    SLACK_TOKEN = '«k:xoxb»'
    NEXUS_CREDS = credentials('nexus-deploy')
    DEPLOY_HOST = '«i:ip4»'
  }
  stages {
    stage('Build') {
      steps { sh './gradlew clean build -x test' }
    }
    stage('Push') {
      steps {
        sh '''
          docker login -u jenkins -p «p:pwa» $REGISTRY
          docker build -t $REGISTRY/api:${GIT_COMMIT} .
          docker push $REGISTRY/api:${GIT_COMMIT}
        '''
      }
    }
    stage('Deploy') {
      steps {
        sshagent(['deploy-key']) {
          sh "ssh -o StrictHostKeyChecking=no deploy@${DEPLOY_HOST} 'cd /srv/api && ./release.sh ${GIT_COMMIT}'"
        }
        sh "curl -s -u release-bot:«p:pwa» -X POST https://jira.cyanmint.de/rest/api/2/issue/API-1201/comment -d @comment.json"
      }
    }
  }
  post {
    failure {
      emailext to: '«e:email»',
               subject: "FAILED: ${env.JOB_NAME} #${env.BUILD_NUMBER}",
               body: '${DEFAULT_CONTENT}'
    }
    always {
      withCredentials([string(credentialsId: 'sonar-token', variable: 'SONAR_TOKEN')]) {
        sh './gradlew sonar -Dsonar.token=$SONAR_TOKEN'
      }
    }
  }
}
""")

_d("QuokkaStats/Project.toml", r'''
name = "QuokkaStats"
uuid = "«uuid»"
authors = ["Quokka Analytics contributors"]
version = "0.7.3"

[deps]
CSV = "336ed68f-0bac-5ca0-87d4-7b16caf5d00b"
DataFrames = "a93c6f00-e57d-5684-b7b6-d8193f3e46c0"
Dates = "ade2ca70-3891-5945-98fb-dc099432e06a"
HTTP = "cd3eb016-35fb-5094-929b-558a96fad6f3"
JSON3 = "0f8b85d8-7281-11e9-16c2-39a750bddbf1"
LibPQ = "194296ae-ab2e-5f79-8cd4-7183a0a5a0d1"
Statistics = "10745b16-79ce-11e8-11f9-7d13ad32a3b2"
Internal = "«uuid»"

[compat]
CSV = "0.10"
DataFrames = "1.6"
HTTP = "1.10"
JSON3 = "1.14"
LibPQ = "1.17"
julia = "1.9"

[extras]
Test = "8dfed614-e22c-5e08-85e1-65c5234f0b40"
Aqua = "4c88cf16-eb10-579e-8560-4a9242c79595"

[targets]
test = ["Test", "Aqua"]

# Manifest excerpt kept for the reproducibility report:
# [[deps.LibPQ]]
# deps = ["CEnum", "Dates", "Decimals", "DocStringExtensions", "FileWatching", "Infinity"]
# git-tree-sha1 = "«hex(40)»"
# uuid = "194296ae-ab2e-5f79-8cd4-7183a0a5a0d1"
# version = "1.17.1"
''')

_d("QuokkaStats/scripts/load_warehouse.jl", r'''
#!/usr/bin/env julia
# Nightly ETL: pulls yesterday's events from the API and loads them into the warehouse.
# Maintainer: «e:email»
using LibPQ, HTTP, JSON3, Dates, DataFrames

const API_BASE  = "https://api.solkai.io/v2"
const API_KEY   = get(ENV, "SOLKAI_API_KEY", "«k:al(40)»")
const WAREHOUSE = "host=«i:ip4» port=5432 dbname=warehouse user=etl password=«p:pwa» sslmode=require"
const STAGING   = "host=10.2.0.15 port=5432 dbname=staging user=etl password=$(ENV["STAGING_PW"])"

function fetch_events(day::Date)
    r = HTTP.get("$API_BASE/events?date=$(day)", ["Authorization" => "Bearer $API_KEY"])
    return JSON3.read(r.body)
end

function notify(msg)
    HTTP.post("https://hooks.slack.com/services/«k:slack_hook»",
              ["Content-Type" => "application/json"],
              JSON3.write(Dict("text" => msg)))
end

function load!(conn, events)
    df = DataFrame(events)
    LibPQ.load!(df, conn, "INSERT INTO raw.events (id, ts, kind, payload) VALUES (\$1, \$2, \$3, \$4)")
    return nrow(df)
end

@time begin
    day = today() - Day(1)
    conn = LibPQ.Connection(WAREHOUSE)
    try
        n = load!(conn, fetch_events(day))
        notify("loaded $n events for $day")
    catch err
        notify("ETL failed: $(sprint(showerror, err))")
        rethrow()
    finally
        close(conn)
    end
end
''')

_d("trials-analysis/R/pull_data.R", r'''
# Pulls the locked trial extracts and the adverse-event feed.
# Author: «e:email»
library(DBI)
library(RPostgres)
library(httr2)
library(dplyr)

con <- dbConnect(
  RPostgres::Postgres(),
  host     = "«i:ip4»",
  port     = 5432,
  dbname   = "trials",
  user     = "biostat",
  password = "«p:pw»"
)
# the old ways, kept for reference:
# con <- dbConnect(RPostgres::Postgres(), password = Sys.getenv("TRIALS_PW"))
# con <- dbConnect(RPostgres::Postgres(), password = rstudioapi::askForPassword("DB password"))

mongo_url <- "mongodb://reader:«p:pwpct»@10.30.2.7:27017/trials?authSource=admin"

redcap_token <- Sys.getenv("REDCAP_API_TOKEN")
openai_key   <- Sys.getenv("OPENAI_API_KEY")

ae <- request("https://safety.«domain»/api/v1/adverse-events") |>
  req_headers(`X-Api-Key` = "«k:hex(32)»") |>
  req_perform() |>
  resp_body_json(simplifyVector = TRUE)

visits <- tbl(con, "visits") |>
  filter(visit_date >= as.Date("2024-01-01")) |>
  collect()

summary_tbl <- visits |>
  left_join(ae, by = "subject_id") |>
  count(site_id, severity)

write.csv(summary_tbl, "out/ae_by_site.csv", row.names = FALSE)
dbDisconnect(con)
''')

_d("lims/sync_lab_results.m", r'''
function results = sync_lab_results(runDate)
%SYNC_LAB_RESULTS Pulls instrument results and pushes them to the LIMS.
%   results = SYNC_LAB_RESULTS(datetime('yesterday'))
%
%   Version 3.1.0.42, see CHANGES.txt

if nargin < 1
    runDate = datetime('yesterday');
end

conn = database('lims_prod', 'lims_writer', '«p:pw»', ...
    'Vendor', 'Microsoft SQL Server', 'Server', '«i:ip4»', 'PortNumber', 1433);

opts = weboptions('KeyName', 'X-Api-Key', 'KeyValue', '«k:hex(40)»', 'Timeout', 30);
url = sprintf('https://instruments.velkai.ch/api/v1/runs?date=%s', datestr(runDate, 'yyyy-mm-dd'));
data = webread(url, opts);

results = struct2table(data.runs);
sqlwrite(conn, 'instrument_runs', results);
close(conn);

setpref('Internet', 'SMTP_Server', 'smtp.office365.com');
setpref('Internet', 'E_mail', '«e:email#from»');
setpref('Internet', 'SMTP_Username', '«e:email#from»');
setpref('Internet', 'SMTP_Password', '«p:pw»');
props = java.lang.System.getProperties;
props.setProperty('mail.smtp.auth', 'true');
props.setProperty('mail.smtp.starttls.enable', 'true');
props.setProperty('mail.smtp.port', '587');

sendmail('«e:email»', 'LIMS sync finished', ...
    sprintf('%d rows for %s', height(results), datestr(runDate)));
end
''')

_d("ocean-coupler/run_config.nml", r'''
! run_config.nml -- namelist input for the ocean model coupler
! Edit copies under experiments/, never this file.
&run_control
  start_date    = '2023-01-01_00:00:00'
  run_length    = 720
  restart       = .true.
  model_version = '4.2.17.3'
  dt_ocean      = 1800.0
/

&io_server
  archive_host   = '«i:ip4»'
  archive_user   = 'oceanrun'
  archive_passwd = '«p:pwa»'
  mirror_host    = '«i:ip6»'
  scratch_host   = '10.14.2.9'
  netmask        = '255.255.240.0'
  gateway        = '10.14.0.1'
/

&notifications
  notify_email  = '«e:email»'
  smtp_relay    = '172.20.1.25'
  notify_on     = 'restart', 'failure'
/

&data_portal
  portal_token  = '«k:hex(48)»'
  dataset_doi   = '10.5281/zenodo.«digits(7)»'
  checksum_md5  = '«hex(32)»'
  snmp_oid      = '1.3.6.1.4.1.2021.10.1.3.1'
/
''')

_d("inventory-report/bin/nightly_report.pl", r'''
#!/usr/bin/perl
use strict;
use warnings;
use DBI;
use Net::SMTP;
use POSIX qw(strftime);

# nightly_report.pl -- mails the stock deltas to purchasing
my $dsn = "DBI:mysql:database=inventory;host=«i:ip4»;port=3306";
my $dbh = DBI->connect($dsn, 'inv_report', '«p:pw»', { RaiseError => 1, AutoCommit => 1 })
    or die "Cannot connect: $DBI::errstr";

my $legacy = DBI->connect('dbi:Oracle:host=10.9.0.30;sid=ORCL', 'scott', $ENV{ORA_PASS});

my @recipients = ('«e:email»');
my %config = (
    api_key    => '«k:hex(32)»',
    endpoint   => 'https://api.varitor.com/v2',
    timeout    => 30,
);

my $sth = $dbh->prepare('SELECT sku, qty_before, qty_after FROM stock_deltas WHERE day = CURDATE() - INTERVAL 1 DAY');
$sth->execute;
my @rows;
while (my $r = $sth->fetchrow_hashref) {
    push @rows, sprintf("%-12s %6d -> %6d", @$r{qw(sku qty_before qty_after)});
}

my $smtp = Net::SMTP->new('smtp.varitor.com', Port => 587, Timeout => 30) or die $@;
$smtp->starttls();
$smtp->auth('«e:email#rep»', '«p:pwa»');
$smtp->mail('«e:email#rep»');
$smtp->to(@recipients);
$smtp->data();
$smtp->datasend("Subject: Stock deltas " . strftime('%Y-%m-%d', localtime) . "\n\n");
$smtp->datasend("$_\n") for @rows;
$smtp->dataend();
$smtp->quit;

foreach my $arg (@ARGV) { print "ignored argument: $arg\n" }
push @INC, '/opt/inventory/lib';
''')

_d("netops/push_config.exp", r'''
#!/usr/bin/expect -f
# Rotates the config on the edge routers. Usage: ./push_config.exp <router>
set timeout 20
set router [lindex $argv 0]
set user "netops"
set password "«p:pwx»"
set enable_secret "«p:pwx»"

spawn ssh -o StrictHostKeyChecking=no $user@$router
expect {
  "yes/no" { send "yes\r"; exp_continue }
  "assword:" { send "$password\r" }
}
expect ">"
send "enable\r"
expect "assword:"
send -- "$enable_secret\r"
expect "#"
send "copy tftp://10.50.0.4/edge.cfg running-config\r"
expect "Destination filename"
send "\r"
expect "#"
send "write memory\r"
expect "#"
send "exit\r"

# out-of-band console server, still on telnet
spawn telnet «i:ip4»
expect "Username:"
send "netops\r"
expect "Password:"
send "$password\r"
expect ">"
send "show version\r"
expect ">"
send "exit\r"
expect eof
''')

_d("gateway/conf/nginx.conf", r'''
worker_processes auto;
env REDIS_PASSWORD;

events { worker_connections 4096; }

http {
    lua_shared_dict jwks 1m;
    lua_package_path "/opt/gateway/lua/?.lua;;";
    resolver 1.1.1.1 8.8.8.8 valid=300s ipv6=off;
    set_real_ip_from 10.0.0.0/8;
    set_real_ip_from 172.16.0.0/12;
    real_ip_header X-Forwarded-For;

    upstream api_backend {
        server «i:ip4»:8080 max_fails=3;
        server 10.30.4.11:8080 max_fails=3;
        server 127.0.0.1:8081 backup;
    }

    server {
        listen 443 ssl http2;
        server_name gw.novahal.io;
        ssl_certificate     /etc/ssl/gw.pem;
        ssl_certificate_key /etc/ssl/gw.key;

        location /api/ {
            access_by_lua_block {
                local jwt = require "resty.jwt"
                local redis = require "resty.redis"
                local red = redis:new()
                red:set_timeouts(1000, 1000, 1000)
                local ok, err = red:connect("10.30.4.2", 6379)
                local res, err = red:auth("«p:pw»")
                local hmac_secret = "«k:al(48)»"
                local auth = ngx.var.http_authorization or ""
                local token = auth:match("Bearer%s+(.+)")
                local verified = jwt:verify(hmac_secret, token)
                if not verified.verified then
                    return ngx.exit(ngx.HTTP_UNAUTHORIZED)
                end
            }
            proxy_set_header X-Internal-Token $internal_token;
            proxy_pass http://api_backend;
        }

        location /metrics {
            allow 10.0.0.0/8;
            deny all;
            stub_status;
        }
    }
}
''')

_d("notifier/src/notifier.nim", r'''
# notifier.nim -- forwards alert rows to Telegram and e-mail
import std/[httpclient, json, os, strutils, times, smtp]
import db_connector/db_postgres

const
  TelegramToken = "«k:telegram»"
  ChatId = "-100«digits(10)»"
  AppVersion = "1.4.0.12"

let db = open("«i:ip4»", "notifier", "«p:pw»", "alerts")
let fallbackPw = getEnv("NOTIFIER_DB_PASSWORD")

proc sendAlert(msg: string) =
  let client = newHttpClient()
  client.headers = newHttpHeaders({"Content-Type": "application/json"})
  discard client.postContent(
    "https://api.telegram.org/bot" & TelegramToken & "/sendMessage",
    $(%*{"chat_id": ChatId, "text": msg}))

proc mailAlert(msg: string) =
  var conn = newSmtp(useSsl = true)
  conn.connect("smtp.fastmail.com", Port 465)
  conn.auth("«e:email#m»", "«p:pwa»")
  conn.sendMail("«e:email#m»", @["«e:email»"], $createMessage("alert", msg))
  conn.close()

when isMainModule:
  for row in db.fastRows(sql"SELECT id, message FROM alerts WHERE sent = false"):
    sendAlert(row[1])
    mailAlert(row[1])
    db.exec(sql"UPDATE alerts SET sent = true WHERE id = ?", row[0])
  echo "notifier ", AppVersion, " done at ", now()
''')

_d("edge-proxy/build.zig.zon", r'''
.{
    .name = "edge-proxy",
    .version = "0.3.1",
    .minimum_zig_version = "0.12.0",
    .dependencies = .{
        .zap = .{
            .url = "https://github.com/zigzap/zap/archive/«hex(40)».tar.gz",
            .hash = "1220«hex(64)»",
        },
        .pg = .{
            .url = "https://github.com/karlseguin/pg.zig/archive/«hex(40)».tar.gz",
            .hash = "1220«hex(64)»",
        },
        .httpz = .{
            .url = "git+https://github.com/karlseguin/http.zig#«hex(40)»",
            .hash = "1220«hex(64)»",
        },
        .zig_password = .{
            .path = "vendor/zig-password",
        },
    },
    .paths = .{
        "build.zig",
        "build.zig.zon",
        "src",
        "LICENSE",
        "README.md",
    },
}
''')

_d("edge-proxy/src/config.zig", r'''
const std = @import("std");
const builtin = @import("builtin");

pub const Config = struct {
    listen_address: []const u8 = "0.0.0.0",
    listen_port: u16 = 9000,
    upstream: []const u8 = "«i:ip4»",
    upstream_v6: []const u8 = "«i:ip6»",
    api_token: []const u8 = "«k:al(40)»",
    db_password: []const u8 = "«p:pw»",
    admin_email: []const u8 = "«e:email»",
    max_body_bytes: usize = 4 * 1024 * 1024,
};

pub const default_resolvers = [_][]const u8{ "9.9.9.9", "149.112.112.112" };
pub const internal_nets = [_][]const u8{ "10.0.0.0/8", "172.16.0.0/12", "fd00::/8" };

pub fn loadFromEnv(allocator: std.mem.Allocator) !Config {
    var cfg = Config{};
    if (std.process.getEnvVarOwned(allocator, "EDGE_API_TOKEN")) |tok| {
        cfg.api_token = tok;
    } else |_| {}
    return cfg;
}

test "config defaults" {
    const cfg = Config{};
    try std.testing.expectEqualStrings("0.0.0.0", cfg.listen_address);
    try std.testing.expectEqual(@as(u16, 9000), cfg.listen_port);
}
''')

_d("kiln/src/config/database.cr", r'''
# src/config/database.cr
require "db"
require "pg"
require "redis"

module Kiln
  DATABASE_URL = ENV["DATABASE_URL"]? || "postgres://kiln:«p:pwpct»@«i:ip4»:5432/kiln_production"
  REPLICA_URL  = ENV.fetch("REPLICA_URL", "postgres://kiln_ro@10.4.0.21/kiln_production")
  REDIS_URL    = "redis://:«p:pwa»@10.4.0.22:6379/2"

  class Mailer
    FROM    = "«e:email»"
    API_KEY = "«k:mailgun»"
    DOMAIN  = "mg.kiln.app"
  end

  def self.db : DB::Database
    @@db ||= DB.open(DATABASE_URL)
  end

  def self.redis : Redis::PooledClient
    @@redis ||= Redis::PooledClient.new(url: REDIS_URL, pool_size: 8)
  end
end
''')

_d("halnova_app/lib/env.dart", r'''
// lib/env.dart
// NOTE: checked in by mistake in 2.3.0, rotated keys tracked in SEC-211.

class Env {
  static const String apiBaseUrl = 'https://api.halnova.app';
  static const String stripeSecretKey = '«k:sk_live»';
  static const String stripePublishableKey = '«pk_live»';
  static const String mapboxAccessToken = '«k:mapbox»';
  static const String sentryDsn =
      'https://«hex(32)»@o«digits(6)».ingest.sentry.io/«digits(7)»';
  static const String supportEmail = '«e:email»';
  static const String googleClientId =
      '«digits(12)»-«low(32)».apps.googleusercontent.com';
  static const String algoliaAppId = '«up(10)»';
  static const String algoliaAdminKey = String.fromEnvironment('ALGOLIA_ADMIN_KEY');
  static const String passwordResetPath = '/account/reset-password';
}

class DefaultFirebaseOptions {
  static const android = FirebaseOptions(
    apiKey: '«k:aiza»',
    appId: '1:«digits(12)»:android:«hex(16)»',
    messagingSenderId: '«digits(12)»',
    projectId: 'halnova-prod',
    storageBucket: 'halnova-prod.appspot.com',
  );
}
''')

_d("QuillRho/QuillRho/AppDelegate.m", r'''
//
//  AppDelegate.m
//  QuillRho
//

#import "AppDelegate.h"
#import <StripeCore/StripeCore.h>
#import <Bugsnag/Bugsnag.h>
@import Firebase;

static NSString *const kAPIBaseURL = @"https://api.quillrho.com/v3";
static NSString *const kAPISecret = @"«k:al(40)»";
static NSString *const kSupportAddress = @"«e:email»";

@interface AppDelegate ()
@property (nonatomic, strong) NSString *deviceToken;
@property (nonatomic, copy) NSString *passwordResetURL;
@end

@implementation AppDelegate

- (BOOL)application:(UIApplication *)application didFinishLaunchingWithOptions:(NSDictionary *)launchOptions {
    [StripeAPI setDefaultPublishableKey:@"«pk_live»"];
    [FIRApp configure];
    [Bugsnag startWithApiKey:@"«k:hex(32)»"];

    NSURLCredential *cred = [NSURLCredential credentialWithUser:@"ios-client"
                                                       password:@"«p:pw»"
                                                    persistence:NSURLCredentialPersistenceForSession];
    NSURLProtectionSpace *space = [[NSURLProtectionSpace alloc] initWithHost:@"api.quillrho.com"
                                                                        port:443
                                                                    protocol:NSURLProtectionSpaceHTTPS
                                                                       realm:nil
                                                        authenticationMethod:NSURLAuthenticationMethodHTTPBasic];
    [[NSURLCredentialStorage sharedCredentialStorage] setDefaultCredential:cred forProtectionSpace:space];
    self.passwordResetURL = [kAPIBaseURL stringByAppendingString:@"/password/reset"];
    return YES;
}

- (void)application:(UIApplication *)application didRegisterForRemoteNotificationsWithDeviceToken:(NSData *)deviceToken {
    self.deviceToken = [deviceToken base64EncodedStringWithOptions:0];
}

@end
''')

_d("ErpClient/App.config", r'''
<?xml version="1.0" encoding="utf-8" ?>
<configuration>
  <startup>
    <supportedRuntime version="v4.0" sku=".NETFramework,Version=v4.8" />
  </startup>
  <connectionStrings>
    <add name="ErpDb"
         connectionString="Data Source=«i:ip4»,1433;Initial Catalog=ERP;User ID=erp_app;Password=«p:pw»;MultipleActiveResultSets=True"
         providerName="System.Data.SqlClient" />
    <add name="LocalDb"
         connectionString="Data Source=(LocalDB)\MSSQLLocalDB;Integrated Security=True"
         providerName="System.Data.SqlClient" />
    <add name="Legacy"
         connectionString="Provider=Microsoft.ACE.OLEDB.12.0;Data Source=\\fs01\erp\legacy.accdb;Jet OLEDB:Database Password=«p:pwa»;" />
  </connectionStrings>
  <appSettings>
    <add key="SmtpHost" value="smtp.office365.com" />
    <add key="SmtpUser" value="«e:email»" />
    <add key="SmtpPassword" value="" />
    <add key="ExchangeRateApiKey" value="«k:hex(24)»" />
    <add key="PasswordMinLength" value="12" />
    <add key="ResetPasswordUrl" value="https://erp.kelvox.de/account/reset" />
    <add key="ClientVersion" value="7.4.1207.3" />
  </appSettings>
  <system.net>
    <defaultProxy>
      <proxy proxyaddress="http://10.1.0.8:8080" bypassonlocal="True" />
    </defaultProxy>
  </system.net>
  <system.diagnostics>
    <trace autoflush="true" />
  </system.diagnostics>
</configuration>
''')

_d("StockDesk/src/dmMain.pas", r'''
unit dmMain;

interface

uses
  System.SysUtils, System.Classes, FireDAC.Comp.Client, FireDAC.Stan.Def,
  FireDAC.Phys.FB, IdSMTP, IdMessage, IdSSLOpenSSL, IdExplicitTLSClientServerBase;

type
  TdmData = class(TDataModule)
    FDConnection1: TFDConnection;
    procedure DataModuleCreate(Sender: TObject);
  private
    procedure SendReport(const AFile: string);
  end;

const
  ApiSecret = '«k:HEX(40)»';
  PasswordMaxAgeDays = 90;

var
  dmData: TdmData;

implementation

{$R *.dfm}

procedure TdmData.DataModuleCreate(Sender: TObject);
begin
  FDConnection1.Params.Clear;
  FDConnection1.Params.Values['DriverID'] := 'FB';
  FDConnection1.Params.Values['Server'] := '«i:ip4»';
  FDConnection1.Params.Values['Database'] := 'C:\Data\STOCK.FDB';
  FDConnection1.Params.Values['User_Name'] := 'SYSDBA';
  FDConnection1.Params.Values['Password'] := '«p:pw»';
  FDConnection1.Connected := True;
end;

procedure TdmData.SendReport(const AFile: string);
var
  SMTP: TIdSMTP;
  Msg: TIdMessage;
begin
  SMTP := TIdSMTP.Create(nil);
  Msg := TIdMessage.Create(nil);
  try
    SMTP.Host := 'smtp.ionopal.pl';
    SMTP.Port := 587;
    SMTP.Username := '«e:email»';
    SMTP.Password := '«p:pwa»';
    SMTP.UseTLS := utUseExplicitTLS;
    Msg.Subject := 'Stock report';
    SMTP.Connect;
    SMTP.Send(Msg);
  finally
    SMTP.Free;
    Msg.Free;
  end;
end;

end.
''')

_d("payroll/jcl/NIGHTFTP.jcl", r'''
//NIGHTFTP JOB (ACCT01),'PAYROLL XFER',CLASS=A,MSGCLASS=X,
//         NOTIFY=&SYSUID,USER=PAYBTCH,PASSWORD=«p:pwjcl»
//*--------------------------------------------------------------
//* SEND PAYROLL EXTRACT TO BANK GATEWAY VIA FTP
//* OWNER: PAYROLL OPS  CONTACT: «e:email»
//* CHANGE 2024-02: GATEWAY MOVED, SEE CHG0041877
//*--------------------------------------------------------------
//STEP010  EXEC PGM=FTP,PARM='«i:ip4» (EXIT TIMEOUT 120'
//SYSPRINT DD SYSOUT=*
//OUTPUT   DD SYSOUT=*
//INPUT    DD *
PAYXFER
«p:pwjcl»
ASCII
PUT 'PAY.PROD.EXTRACT(0)' 'payroll_extract.txt'
QUIT
/*
//*
//STEP020  EXEC PGM=IEBGENER,COND=(0,NE,STEP010)
//SYSPRINT DD SYSOUT=*
//SYSIN    DD DUMMY
//SYSUT1   DD DSN=PAY.PROD.EXTRACT(0),DISP=SHR
//SYSUT2   DD DSN=PAY.PROD.ARCHIVE(+1),DISP=(NEW,CATLG,DELETE),
//            SPACE=(CYL,(10,5),RLSE),UNIT=SYSDA,
//            DCB=(RECFM=FB,LRECL=200,BLKSIZE=0)
//*
//NOTIFY   EXEC PGM=IKJEFT01,COND=(0,NE)
//SYSTSPRT DD SYSOUT=*
//SYSTSIN  DD *
 SEND 'PAYROLL XFER COMPLETE' USER(PAYOPS)
/*
''')

_d("zfx_sync/zsync_exchange_rates.abap", r'''
*&---------------------------------------------------------------------*
*& Report ZSYNC_EXCHANGE_RATES
*&---------------------------------------------------------------------*
*& Pulls daily FX rates and updates TCURR. Owner: «e:email»
*&---------------------------------------------------------------------*
REPORT zsync_exchange_rates.

CONSTANTS: lc_url      TYPE string VALUE 'https://api.fx.monflux.com/v1/latest',
           lc_api_key  TYPE string VALUE '«k:hex(32)»',
           lc_user     TYPE string VALUE 'SAP_FX_SYNC',
           lc_password TYPE string VALUE '«p:pw»'.

DATA: lo_client TYPE REF TO if_http_client,
      lv_json   TYPE string,
      lv_code   TYPE i.

PARAMETERS: p_date TYPE sy-datum DEFAULT sy-datum.

START-OF-SELECTION.
  cl_http_client=>create_by_url(
    EXPORTING url    = lc_url
    IMPORTING client = lo_client ).

  lo_client->propertytype_logon_popup = lo_client->co_disabled.
  lo_client->authenticate( username = lc_user password = lc_password ).
  lo_client->request->set_header_field( name = 'X-API-Key' value = lc_api_key ).
  lo_client->request->set_method( if_http_request=>co_request_method_get ).
  lo_client->send( ).
  lo_client->receive( ).
  lo_client->response->get_status( IMPORTING code = lv_code ).

  IF lv_code <> 200.
*   Fallback over the proxy in the DMZ
    cl_http_client=>create(
      EXPORTING host          = '«i:ip4»'
                service       = '443'
                proxy_host    = '10.100.4.4'
                proxy_service = '3128'
                scheme        = cl_http_client=>schemetype_https
      IMPORTING client        = lo_client ).
  ENDIF.

  lv_json = lo_client->response->get_cdata( ).
  WRITE: / |Received { strlen( lv_json ) } bytes for { p_date DATE = ISO }|.
''')

_d("billing-db/migrations/020_create_app_schema.sql", r'''
-- 020_create_app_schema.sql  (run as SYSTEM via sqlplus)
WHENEVER SQLERROR EXIT SQL.SQLCODE
SET ECHO ON

CREATE USER billing_app IDENTIFIED BY "«p:pw»"
  DEFAULT TABLESPACE billing_data QUOTA UNLIMITED ON billing_data;
GRANT CREATE SESSION, CREATE TABLE, CREATE SEQUENCE, CREATE VIEW TO billing_app;

CREATE USER billing_ro IDENTIFIED BY «p:pwora»;
GRANT CREATE SESSION TO billing_ro;

-- legacy account restored from the old instance (verifier only)
ALTER USER legacy_etl IDENTIFIED BY VALUES 'S:«HEX(60)»';

CREATE DATABASE LINK dwh_link
  CONNECT TO dwh_reader IDENTIFIED BY "«p:pwa»"
  USING '(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=«i:ip4»)(PORT=1521))(CONNECT_DATA=(SERVICE_NAME=DWH)))';

CREATE OR REPLACE PROCEDURE billing_app.notify_finance(p_msg IN VARCHAR2) AS
  c UTL_SMTP.connection;
BEGIN
  c := UTL_SMTP.open_connection('smtp.torsel.eu', 587);
  UTL_SMTP.starttls(c);
  UTL_SMTP.ehlo(c, 'billing-db');
  UTL_SMTP.auth(c, '«e:email#mf»', billing_app.cfg.smtp_password, UTL_SMTP.all_schemes);
  UTL_SMTP.mail(c, '«e:email#mf»');
  UTL_SMTP.rcpt(c, '«e:email»');
  UTL_SMTP.data(c, 'Subject: billing notice' || UTL_TCP.crlf || UTL_TCP.crlf || p_msg);
  UTL_SMTP.quit(c);
END;
/

CREATE OR REPLACE PROCEDURE billing_app.close_period AS
  req  UTL_HTTP.req;
  resp UTL_HTTP.resp;
BEGIN
  req := UTL_HTTP.begin_request('https://ledger.torsel.eu/v1/close', 'POST');
  UTL_HTTP.set_header(req, 'X-Api-Key', '«k:al(36)»');
  UTL_HTTP.set_header(req, 'Content-Length', '0');
  resp := UTL_HTTP.get_response(req);
  UTL_HTTP.end_response(resp);
END;
/
''')

_d("reporting-db/setup/01_logins.sql", r'''
USE [master];
GO
IF NOT EXISTS (SELECT 1 FROM sys.server_principals WHERE name = N'svc_reporting')
    CREATE LOGIN [svc_reporting] WITH PASSWORD = N'«p:pw»', CHECK_POLICY = ON, DEFAULT_DATABASE = [Reporting];
GO
ALTER LOGIN [svc_etl] WITH PASSWORD = '«p:pw»' MUST_CHANGE, CHECK_EXPIRATION = ON;
GO
-- migrated from the 2014 instance, hash copied over
CREATE LOGIN [legacy_app] WITH PASSWORD = 0x0200«HEX(136)» HASHED, CHECK_POLICY = OFF;
GO
EXEC master.dbo.sp_addlinkedserver @server = N'DWH', @srvproduct = N'', @provider = N'MSOLEDBSQL', @datasrc = N'«i:ip4»,1433';
EXEC master.dbo.sp_addlinkedsrvlogin @rmtsrvname = N'DWH', @useself = N'False', @locallogin = NULL, @rmtuser = N'dwh_link', @rmtpassword = N'«p:pwr»';
GO
USE [Reporting];
GO
CREATE DATABASE SCOPED CREDENTIAL [s3_archive]
    WITH IDENTITY = 'S3 Access Key', SECRET = '«k:aws_akid»:«k:aws_secret»';
GO
EXEC msdb.dbo.sysmail_add_account_sp
    @account_name = 'DBA',
    @email_address = '«e:email»',
    @mailserver_name = 'smtp.halcyan.nl',
    @port = 587,
    @use_default_credentials = 1,
    @enable_ssl = 1;
GO
EXEC msdb.dbo.sp_send_dbmail
    @profile_name = 'DBA',
    @recipients = '«e:email»',
    @subject = 'Linked server DWH configured';
GO
''')

_d("shop/provisioning/mysql/01_users.sql", r'''
-- provisioning/mysql/01_users.sql
-- Applied by the bootstrap job; idempotent.
CREATE USER IF NOT EXISTS 'shop'@'10.0.%' IDENTIFIED BY '«p:pw»';
CREATE USER IF NOT EXISTS 'shop_ro'@'%' IDENTIFIED WITH caching_sha2_password BY RANDOM PASSWORD;
GRANT SELECT, INSERT, UPDATE, DELETE ON shop.* TO 'shop'@'10.0.%';
GRANT SELECT ON shop.* TO 'shop_ro'@'%';

-- MySQL 5.7 replicas still use the old syntax:
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'«i:ip4»' IDENTIFIED BY '«p:pwa»';
ALTER USER 'root'@'localhost' IDENTIFIED WITH auth_socket;
CREATE USER 'legacy'@'localhost' IDENTIFIED BY PASSWORD '«mysqlhash»';

CHANGE REPLICATION SOURCE TO
  SOURCE_HOST='«i:ip4»',
  SOURCE_PORT=3306,
  SOURCE_USER='repl',
  SOURCE_PASSWORD='«p:pwa»',
  SOURCE_AUTO_POSITION=1,
  SOURCE_SSL=1;

SELECT user, host, plugin FROM mysql.user WHERE user LIKE 'shop%';
FLUSH PRIVILEGES;
''')

_d("infra/bin/provision-db.sh", r'''
#!/usr/bin/env bash
# provision-db.sh -- one-off bootstrap of the inventory database
set -euo pipefail

APP_DB=inventory
APP_USER=inventory_app
APP_PASS='«p:pw»'
export AWS_ACCESS_KEY_ID=«k:aws_akid»
export AWS_SECRET_ACCESS_KEY=«k:aws_secret»
export AWS_DEFAULT_REGION=eu-west-1

read -r -s -p "Superuser password: " SUPER_PASS
echo
export PGPASSWORD="$SUPER_PASS"

psql -h «i:ip4» -U postgres -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE ${APP_USER} WITH LOGIN PASSWORD '${APP_PASS}';
CREATE ROLE reporting WITH LOGIN PASSWORD '«p:pw»';
ALTER ROLE migrator WITH PASSWORD '«p:pwa»' VALID UNTIL '2025-12-31';
CREATE DATABASE ${APP_DB} OWNER ${APP_USER};
SQL

aws s3 cp "s3://inventory-bootstrap/seed.sql.gz" - | gunzip | psql -h db-primary.internal -U "$APP_USER" "$APP_DB"

# legacy cache in front of the old API
mysqladmin -h 10.3.0.9 -u root -p"$SUPER_PASS" status
REDISCLI_AUTH="$REDIS_PASS" redis-cli -h 10.3.0.10 --no-auth-warning CONFIG SET maxmemory-policy allkeys-lru

echo "done; checksum of seed: $(sha256sum seed.sql.gz | cut -d' ' -f1)"
''')

_d("dotfiles/fish/config.fish", r'''
# ~/.config/fish/config.fish
if status is-interactive
    set -g fish_greeting
    starship init fish | source
    zoxide init fish | source
end

fish_add_path $HOME/.cargo/bin $HOME/go/bin $HOME/.local/bin
set -gx EDITOR nvim
set -gx GOPATH $HOME/go

# tokens (moved to 1Password eventually...)
set -gx NPM_TOKEN «k:npm»
set -gx CLOUDFLARE_API_TOKEN (op read "op://dev/cloudflare/token")
set -gx FLY_API_TOKEN (flyctl auth token)
set -gx ANTHROPIC_API_KEY «k:anthropic»
set -gx VAULT_ADDR https://vault.lyra.internal:8200
set -gx VAULT_TOKEN «k:vault»
set -x GITHUB_TOKEN (gh auth token)
set -x OP_SESSION (op signin --raw)

set -gx PGHOST 10.31.0.5
set -gx PGUSER analyst
set -gx PGPASSWORD '«p:pw»'

abbr -a gco git checkout
abbr -a k kubectl
abbr -a tf terraform

function prodssh
    ssh -i ~/.ssh/prod_ed25519 ubuntu@«i:ip4» $argv
end

function vpn
    sudo openconnect --user=$USER --passwd-on-stdin vpn.lyra.internal < ~/.vpnpass
end
''')

_d("desktop/hotkeys.ahk", r'''
; hotkeys.ahk -- personal helpers, AutoHotkey v1
#NoEnv
#SingleInstance Force
SendMode Input
SetTitleMatchMode, 2

::]em::«e:email»
::]sig::Best regards,{Enter}Ugo Ferreira

; Ctrl+Alt+L: log into the legacy ERP terminal
^!l::
    Run, putty.exe -ssh erpuser@«i:ip4» -pw «p:pwr#erp»
    WinWaitActive, PuTTY
    Sleep, 1500
    SendRaw, «p:pwr#erp»
    Send, {Enter}
return

; Ctrl+Alt+V: office VPN
^!v::
    Run, "C:\Program Files\OpenVPN\bin\openvpn-gui.exe" --connect office.ovpn
    WinWait, OpenVPN
    InputBox, vpnPass, VPN, Password:, HIDE
    ControlSetText, Edit2, %vpnPass%, OpenVPN
    ControlClick, Button1, OpenVPN
return

; Win+P: paste a reminder, never the actual password
#p::
    SendRaw, Password reset: https://sso.kelvox.de/reset-password
return
''')

_d("deploy/deploy.bat", r'''
@echo off
setlocal EnableExtensions
REM deploy.bat - copies the build to the file server and restarts the service
REM usage: deploy.bat [staging|prod]

set TARGET=%1
if "%TARGET%"=="" set TARGET=staging
set BUILD_DIR=%~dp0build
set SHARE=\\fs02.corp.local\deploy$
set DEPLOY_USER=CORP\svc_deploy
set DEPLOY_PASSWORD=«p:pwx»
set SIGNING_API_KEY=«k:hex(40)»

net use Z: %SHARE% %DEPLOY_PASSWORD% /user:%DEPLOY_USER% /persistent:no
if errorlevel 1 goto :fail

robocopy "%BUILD_DIR%" Z:\app\%TARGET% /MIR /R:2 /W:5 /NFL /NDL
"C:\Program Files\7-Zip\7z.exe" a -t7z -p«p:pwx» -mhe=on Z:\archive\build_%DATE:~-4%.7z "%BUILD_DIR%\*"

curl -s -u deploybot:«p:pwx» -X POST https://ci.kelvox.de/job/smoke-%TARGET%/build
sc \\10.20.1.15 stop AppService
sc \\10.20.1.15 start AppService
psexec \\«i:ip4» -u Administrator -p %DEPLOY_PASSWORD% cmd /c "iisreset /noforce"

net use Z: /delete /y
echo Deployed %TARGET% OK
goto :eof

:fail
echo Could not map %SHARE% 1>&2
exit /b 1
''')

_d("buildagents/Bootstrap-BuildAgent.ps1", r'''
# Bootstrap-BuildAgent.ps1 -- turns a fresh Windows Server VM into a build agent
param(
    [string]$AgentName = $env:COMPUTERNAME,
    [securestring]$AdminPassword = (Read-Host -AsSecureString "Local admin password")
)
$ErrorActionPreference = 'Stop'

$env:AZURE_CLIENT_ID     = "«uuid»"
$env:AZURE_TENANT_ID     = "«uuid»"
$env:AZURE_CLIENT_SECRET = "«k:az_secret»"
$env:ARM_ACCESS_KEY      = (Get-AzStorageAccountKey -ResourceGroupName rg-tfstate -Name sttfstate)[0].Value
$env:AZP_URL             = "https://dev.azure.com/calnex"
$env:AZP_TOKEN           = $env:AGENT_PAT

$svcPassword = ConvertTo-SecureString "«p:pw»" -AsPlainText -Force
$cred = New-Object System.Management.Automation.PSCredential ("CORP\svc_build", $svcPassword)
New-LocalUser -Name "buildrunner" -Password $AdminPassword -PasswordNeverExpires

# kiosk-style autologon for the UI-test agents
$winlogon = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon'
Set-ItemProperty -Path $winlogon -Name AutoAdminLogon -Value '1'
Set-ItemProperty -Path $winlogon -Name DefaultUserName -Value 'uitest'
Set-ItemProperty -Path $winlogon -Name DefaultPassword -Value '«p:pwa»'
Set-ItemProperty -Path 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Internet Settings' -Name ProxyServer -Value '10.0.0.8:3128'

Invoke-RestMethod -Uri "https://«i:ip4»/api/agents/register" -Method Post `
    -Headers @{ Authorization = "Basic «k:basic»" } `
    -Body (@{ name = $AgentName; pool = 'windows' } | ConvertTo-Json)

Add-DnsServerForwarder -IPAddress 8.8.8.8, 1.1.1.1
Set-DnsClientServerAddress -InterfaceAlias Ethernet -ServerAddresses ("10.0.0.2", "10.0.0.3")
Write-Host "Agent $AgentName bootstrapped (image 10.0.20348.2227)"
''')

_d("edge-ams/configuration.nix", r'''
{ config, pkgs, lib, ... }:

{
  imports = [ ./hardware-configuration.nix ];

  networking.hostName = "edge-ams-01";
  networking.interfaces.ens3.ipv4.addresses = [ { address = "«i:ip4»"; prefixLength = 26; } ];
  networking.interfaces.ens3.ipv6.addresses = [ { address = "«i:ip6»"; prefixLength = 64; } ];
  networking.nameservers = [ "9.9.9.9" "149.112.112.112" "2620:fe::fe" ];
  networking.firewall.allowedTCPPorts = [ 22 80 443 ];

  users.users.ops = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
    hashedPassword = "«sha512crypt»";
    openssh.authorizedKeys.keys = [ "«sshpub» ops@laptop" ];
  };
  users.users.kiosk.initialPassword = "«p:pw»";

  networking.wireguard.interfaces.wg0 = {
    ips = [ "10.100.0.2/24" ];
    listenPort = 51820;
    privateKey = "«k:wg»";
    peers = [ {
      publicKey = "«wg»";
      allowedIPs = [ "10.100.0.0/24" ];
      endpoint = "vpn-hub.lyra.internal:51820";
      persistentKeepalive = 25;
    } ];
  };

  services.postgresql.enable = true;
  services.postgresql.initialScript = pkgs.writeText "init.sql" ''
    CREATE ROLE grafana WITH LOGIN PASSWORD '«p:pwa»';
  '';
  services.grafana.enable = true;
  services.grafana.settings.security.admin_password = "$__file{/run/secrets/grafana-admin}";

  nix.settings.trusted-public-keys = [ "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=" ];
  environment.systemPackages = with pkgs; [ vim git htop wireguard-tools ];
  system.stateVersion = "23.11";
}
''')

_d("puppet/modules/profile/manifests/db.pp", r'''
# modules/profile/manifests/db.pp
class profile::db (
  String $root_password    = '«p:pw»',
  String $replica_password = lookup('profile::db::replica_password'),
  Array[String] $allowed   = ['10.0.0.0/8', '«i:ip4»/32'],
) {
  class { 'mysql::server':
    root_password           => $root_password,
    remove_default_accounts => true,
    override_options        => { 'mysqld' => { 'bind-address' => '0.0.0.0' } },
  }

  mysql::db { 'wiki':
    user     => 'wiki',
    password => '«p:pwa»',
    host     => '10.8.3.%',
    grant    => ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  }

  user { 'backup':
    ensure   => present,
    password => Sensitive('«sha512crypt»'),
    shell    => '/bin/bash',
  }

  file { '/root/.my.cnf':
    content => "[client]\nuser=root\npassword=${root_password}\n",
    mode    => '0600',
    owner   => 'root',
  }

  cron { 'mysqldump':
    command     => '/usr/local/bin/dump.sh',
    hour        => 3,
    minute      => 15,
    environment => 'MAILTO=«e:email»',
  }

  firewall { '100 allow mysql from app tier':
    dport  => 3306,
    proto  => 'tcp',
    source => $allowed,
    action => 'accept',
  }
}
''')

_d("chef/data_bags/credentials/production.json", r'''
{
  "id": "production",
  "mysql_root_password": "«p:pw»",
  "replication_password": "«p:pwesc»",
  "aws": {
    "access_key_id": "«k:aws_akid»",
    "secret_access_key": "«k:aws_secret»",
    "kms_key_arn": "arn:aws:kms:eu-west-1:«digits(12)»:key/«uuid»"
  },
  "ssl_key": "«k:rsa_block(json)»",
  "ssl_cert": "«cert_block(json)»",
  "papertrail_port": «digits(5)»,
  "bastion": "«i:ip4»",
  "example_keys": {
    "note": "docs only",
    "access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  }
}
''')

_d("salt/pillar/prod/app.sls", r'''
# pillar/prod/app.sls
{% set env = salt['grains.get']('env', 'prod') %}
postgres:
  users:
    app:
      password: '«p:pw»'
      createdb: False
    metabase:
      password: «p:pwa»
  acls:
    - ['host', 'all', 'all', '10.0.0.0/8', 'scram-sha-256']
    - ['hostssl', 'app', 'app', '«i:ip4»/32', 'scram-sha-256']

app:
  env: {{ env }}
  secret_key: '«k:django»'
  sentry_dsn: https://«hex(32)»@o«digits(6)».ingest.sentry.io/«digits(7)»
  mail:
    from: «e:email»
    smtp_password: {{ salt['vault'].read_secret('secret/app/smtp')['password'] }}
  github_deploy_key: |
    «k:openssh_block(4)»
  github_host_key: "github.com «sshpub»"
  gcs_backup_account: «e:sa_email(gcp)»

ntp:
  servers: ['0.pool.ntp.org', '1.pool.ntp.org', '10.0.4.3']

salt:
  master: 10.0.4.2
  minion:
    master_finger: '«fingerprint»'
''')

_d("infra/bicep/main.bicep", r'''
@description('Location for all resources.')
param location string = resourceGroup().location

@secure()
param sqlAdminPassword string

param sqlAdminLogin string = 'sqladmin'
param vmAdminPassword string = '«p:pw»'

@secure()
param legacyApiKey string = '«k:hex(40)»'

var suffix = uniqueString(resourceGroup().id)

resource sql 'Microsoft.Sql/servers@2022-05-01-preview' = {
  name: 'sql-${suffix}'
  location: location
  properties: {
    administratorLogin: sqlAdminLogin
    administratorLoginPassword: sqlAdminPassword
    minimalTlsVersion: '1.2'
  }
}

resource officeRule 'Microsoft.Sql/servers/firewallRules@2022-05-01-preview' = {
  parent: sql
  name: 'office'
  properties: {
    startIpAddress: '«i:ip4#office»'
    endIpAddress: '«i:ip4#office»'
  }
}

resource azureRule 'Microsoft.Sql/servers/firewallRules@2022-05-01-preview' = {
  parent: sql
  name: 'AllowAllWindowsAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

resource ag 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-oncall'
  location: 'global'
  properties: {
    groupShortName: 'oncall'
    enabled: true
    emailReceivers: [
      { name: 'oncall', emailAddress: '«e:email»', useCommonAlertSchema: true }
    ]
  }
}

output sqlFqdn string = sql.properties.fullyQualifiedDomainName
output legacyKeyUsed bool = !empty(legacyApiKey)
''')

_d("infra/pulumi/index.ts", r'''
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();
const legacyCfg = new pulumi.Config("legacy");
const dbPassword = config.requireSecret("dbPassword");
const env = pulumi.getStack();

const db = new aws.rds.Instance("analytics", {
    engine: "postgres",
    engineVersion: "15.4",
    instanceClass: "db.t3.medium",
    allocatedStorage: 50,
    username: "analytics",
    password: env === "prod" ? dbPassword : "«p:pw»",
    skipFinalSnapshot: env !== "prod",
});

const sg = new aws.ec2.SecurityGroup("bastion", {
    description: "ssh from the office",
    ingress: [
        { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["«i:ip4»/32", "10.0.0.0/8"] },
    ],
    egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
});

// The old account still hosts the DNS zone.
const legacy = new aws.Provider("legacy", {
    region: "us-east-1",
    accessKey: legacyCfg.require("accessKey"),
    secretKey: legacyCfg.requireSecret("secretKey"),
});

const key = aws.kms.getKeyOutput({ keyId: "arn:aws:kms:eu-west-1:«digits(12)»:key/«uuid»" });

export const dbEndpoint = db.endpoint;
export const bastionSg = sg.id;
export const adminEmail = "«e:email»";
export const kmsKey = key.arn;
''')

_d("web/Dockerfile", r'''
# syntax=docker/dockerfile:1.6
FROM node:20.11.0-bookworm-slim@sha256:«hex(64)» AS build
ARG NPM_TOKEN
WORKDIR /app
COPY package.json package-lock.json ./
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc \
 && npm ci \
 && rm -f .npmrc
COPY . .
RUN npm run build

FROM nginx:1.25.3-alpine@sha256:«hex(64)»
LABEL maintainer="«e:email»" \
      org.opencontainers.image.revision="«hex(40)»"
ENV API_UPSTREAM=http://«i:ip4»:8080 \
    MAPS_API_KEY=«k:aiza» \
    SEGMENT_TOKEN=${SEGMENT_TOKEN}
RUN apk add --no-cache apache2-utils \
 && htpasswd -b -c /etc/nginx/.htpasswd staging «p:pwa»
COPY --from=build /app/dist /usr/share/nginx/html
COPY nginx.conf /etc/nginx/conf.d/default.conf
HEALTHCHECK CMD wget -qO- http://127.0.0.1/healthz || exit 1
EXPOSE 80
''')

_d("storefront/Procfile", r'''
web: bundle exec puma -C config/puma.rb
worker: REDIS_URL=redis://:«p:pwa»@«i:ip4»:6379/1 bundle exec sidekiq -C config/sidekiq.yml
release: DATABASE_URL=postgres://storefront:«p:pwpct»@10.0.3.8:5432/storefront bundle exec rails db:migrate
clock: bundle exec clockwork config/clock.rb
metrics: /app/bin/statsd_exporter --statsd.listen-udp=:9125 --web.listen-address=0.0.0.0:9102
mailer: bundle exec rake mail:drain
''')

_d("ops/supervisor/supervisord.conf", r'''
[unix_http_server]
file=/var/run/supervisor.sock
chmod=0700

[inet_http_server]
port=0.0.0.0:9001
username=supervisor
password=«p:pwa»

[supervisord]
logfile=/var/log/supervisor/supervisord.log
pidfile=/var/run/supervisord.pid
childlogdir=/var/log/supervisor

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix:///var/run/supervisor.sock

[program:celery]
command=/srv/app/venv/bin/celery -A app worker -l info -c 4
directory=/srv/app
user=app
environment=DJANGO_SETTINGS_MODULE="app.settings.prod",BROKER_URL="amqp://app:«p:pwa»@«i:ip4»:5672/prod",STRIPE_API_KEY="«k:sk_live»",SECRET_KEY="%(ENV_DJANGO_SECRET_KEY)s"
autostart=true
autorestart=true
stopwaitsecs=600

[program:flower]
command=/srv/app/venv/bin/celery -A app flower --basic_auth=ops:%(ENV_FLOWER_PASSWORD)s --port=5555
directory=/srv/app
user=app
autostart=true

[eventlistener:crashmail]
command=crashmail -a -m «e:email»
events=PROCESS_STATE_EXITED
''')

_d("portal/deploy/uwsgi.ini", r'''
[uwsgi]
module = config.wsgi:application
master = true
processes = 8
threads = 2
socket = 127.0.0.1:8001
http-socket = 0.0.0.0:8000
chmod-socket = 660
vacuum = true
die-on-term = true
harakiri = 60
max-requests = 5000
buffer-size = 32768

env = DJANGO_SETTINGS_MODULE=config.settings.production
env = DJANGO_SECRET_KEY=«k:al(50)»
env = DATABASE_URL=postgres://django:«p:pwpct»@10.6.0.3:5432/portal
env = CELERY_BROKER_URL=redis://:«p:pwa»@10.6.0.4:6379/0
env = ALLOWED_HOSTS=portal.orbitsel.fr,10.6.0.2

stats = 127.0.0.1:9191
logto = /var/log/uwsgi/portal.log
log-maxsize = 52428800
''')

_d("edge/Caddyfile", r'''
{
    email «e:email»
    acme_ca https://acme-v02.api.letsencrypt.org/directory
    servers {
        trusted_proxies static 10.0.0.0/8 172.16.0.0/12
    }
}

grafana.orbitmint.io {
    reverse_proxy 10.12.0.9:3000
    basicauth /admin/* {
        ops «bcrypt»
    }
}

api.orbitmint.io {
    @blocked remote_ip «i:ip4» 192.0.2.44
    respond @blocked 403

    reverse_proxy [«i:ip6»]:8080 10.12.0.5:8080 {
        header_up X-Api-Key {env.UPSTREAM_API_KEY}
        lb_policy round_robin
        health_uri /healthz
    }

    tls {
        dns cloudflare «k:cloudflare»
    }

    log {
        output file /var/log/caddy/api.log
        format json
    }
}

status.orbitmint.io {
    root * /srv/status
    file_server
}
''')

_d("edge/traefik/traefik.yml", r'''
# traefik.yml (static) with the dynamic file provider inlined below
entryPoints:
  web:
    address: ":80"
    http:
      redirections:
        entryPoint: { to: websecure, scheme: https }
  websecure:
    address: ":443"
    forwardedHeaders:
      trustedIPs:
        - "10.0.0.0/8"
        - "«i:ip4»"

certificatesResolvers:
  le:
    acme:
      email: «e:email»
      storage: /letsencrypt/acme.json
      dnsChallenge:
        provider: cloudflare
        resolvers: ["1.1.1.1:53", "8.8.8.8:53"]

providers:
  docker:
    exposedByDefault: false
  file:
    filename: /etc/traefik/dynamic.yml

api:
  dashboard: true

http:
  middlewares:
    dashboard-auth:
      basicAuth:
        users:
          - "ops:«apr1»"
          - "audit:«bcrypt»"
    office-only:
      ipAllowList:
        sourceRange:
          - "«i:ip4»"
          - "192.168.10.0/24"
  services:
    legacy:
      loadBalancer:
        servers:
          - url: "http://10.20.0.31:8080"
          - url: "http://[fd00:20::31]:8080"

# container env:
#   CF_DNS_API_TOKEN=«k:cloudflare»
''')

_d("mesh/envoy.yaml", r'''
static_resources:
  listeners:
  - name: ingress
    address:
      socket_address: { address: 0.0.0.0, port_value: 10000 }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress_http
          route_config:
            virtual_hosts:
            - name: payments
              domains: ["*"]
              routes:
              - match: { prefix: "/" }
                route: { cluster: payments }
              request_headers_to_add:
              - header: { key: x-upstream-token, value: «k:al(40)» }
          http_filters:
          - name: envoy.filters.http.jwt_authn
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication
              providers:
                internal:
                  issuer: https://auth.orbitmint.io
                  local_jwks:
                    inline_string: '{"keys":[{"kty":"RSA","e":"AQAB","kid":"«hex(16)»","n":"«b64u(342)»"}]}'
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
  clusters:
  - name: payments
    type: STATIC
    connect_timeout: 2s
    load_assignment:
      cluster_name: payments
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: «i:ip4», port_value: 8443 } } }
        - endpoint: { address: { socket_address: { address: 10.40.2.7, port_value: 8443 } } }
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
        common_tls_context:
          tls_certificates:
          - certificate_chain: { filename: /etc/envoy/certs/client.pem }
            private_key:
              inline_string: |
                «k:ec_block(16)»
admin:
  address:
    socket_address: { address: 127.0.0.1, port_value: 9901 }
''')

_d("lb/haproxy.cfg", r'''
global
    log /dev/log local0
    maxconn 20000
    user haproxy
    group haproxy
    stats socket /run/haproxy/admin.sock mode 660 level admin

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

userlist ops_users
    user ops insecure-password «p:pwa»
    user audit password «sha512crypt»

frontend fe_https
    bind :443 ssl crt /etc/haproxy/certs/
    acl office src «i:ip4» 10.0.0.0/8
    http-request auth realm ops unless office
    default_backend be_app

backend be_app
    balance roundrobin
    option httpchk GET /healthz
    server app1 «i:ip4»:8080 check
    server app2 10.2.0.12:8080 check
    server app3 10.2.0.13:8080 check backup
    http-request set-header X-Backend-Key «k:hex(40)»

listen stats
    bind *:8404
    stats enable
    stats uri /stats
    stats refresh 10s

backend be_redis
    mode tcp
    option tcp-check
    tcp-check send AUTH\ «p:pwr»\r\n
    tcp-check expect string +OK
    server redis1 10.2.0.20:6379 check inter 1s
''')

_d("intranet/apache/intranet.conf", r'''
<VirtualHost *:443>
    ServerName intranet.vexcal.at
    ServerAdmin «e:email»
    DocumentRoot /var/www/intranet

    SSLEngine on
    SSLCertificateFile /etc/ssl/certs/intranet.crt
    SSLCertificateKeyFile /etc/ssl/private/intranet.key

    SetEnv DB_HOST 10.7.0.20
    SetEnv DB_USER intranet
    SetEnv DB_PASS «p:pwa»
    SetEnv RECAPTCHA_SITE_KEY «recaptcha»
    SetEnv RECAPTCHA_SECRET_KEY «k:recaptcha»

    <Location /admin>
        AuthType Basic
        AuthName "Admin"
        AuthBasicProvider ldap
        AuthLDAPURL "ldap://10.7.0.5:389/ou=people,dc=vexcal,dc=local?uid"
        AuthLDAPBindDN "cn=apache,ou=services,dc=vexcal,dc=local"
        AuthLDAPBindPassword «p:pwa»
        Require ldap-group cn=intranet-admins,ou=groups,dc=vexcal,dc=local
    </Location>

    <Location /metrics>
        Require ip 203.0.113.0/24 10.0.0.0/8
    </Location>

    ProxyPass /api/ http://«i:ip4#api»:8080/api/
    ProxyPassReverse /api/ http://«i:ip4#api»:8080/api/
    ErrorLog ${APACHE_LOG_DIR}/intranet_error.log
    CustomLog ${APACHE_LOG_DIR}/intranet_access.log combined
</VirtualHost>
''')

_d("Portal.Web/Web.config", r'''
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <connectionStrings>
    <add name="Portal" connectionString="Server=10.9.1.3;Database=Portal;User Id=portal_web;Password=«p:pw»;TrustServerCertificate=true" providerName="System.Data.SqlClient" />
    <add name="Odbc" connectionString="Driver={ODBC Driver 18 for SQL Server};Server=tcp:10.9.1.4,1433;Uid=portal_ro;Pwd={«p:pwa»};Encrypt=yes;" />
  </connectionStrings>
  <appSettings>
    <add key="webpages:Version" value="3.0.0.0" />
    <add key="Smtp.Password" value="" />
    <add key="Smtp.From" value="«e:email»" />
    <add key="Storage.ConnectionString" value="DefaultEndpointsProtocol=https;AccountName=portalassets;AccountKey=«k:az_storage»;EndpointSuffix=core.windows.net" />
    <add key="Auth0.ClientId" value="«al(32)»" />
    <add key="Auth0.ClientSecret" value="«k:b64u(64)»" />
    <add key="PasswordResetTokenLifetimeHours" value="2" />
  </appSettings>
  <system.web>
    <compilation debug="false" targetFramework="4.8" />
    <machineKey validationKey="«k:HEX(128)»" decryptionKey="AutoGenerate,IsolateApps" validation="HMACSHA256" decryption="AES" />
    <authentication mode="Forms">
      <forms loginUrl="~/Account/Login" timeout="2880" />
    </authentication>
  </system.web>
  <system.webServer>
    <security>
      <ipSecurity allowUnlisted="false">
        <add ipAddress="«i:ip4»" allowed="true" />
        <add ipAddress="10.0.0.0" subnetMask="255.0.0.0" allowed="true" />
        <add ipAddress="127.0.0.1" allowed="true" />
      </ipSecurity>
    </security>
  </system.webServer>
</configuration>
''')

_d("monitoring/prometheus/prometheus.yml", r'''
global:
  scrape_interval: 30s
  evaluation_interval: 30s
  external_labels: { cluster: prod-fra1 }

alerting:
  alertmanagers:
    - static_configs: [ { targets: ["10.8.0.5:9093"] } ]

rule_files: ["rules/*.yml"]

scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["10.8.1.19:9100", "10.8.1.20:9100", "10.8.1.21:9100"]
  - job_name: mysqld
    static_configs: [ { targets: ["10.8.2.3:9104"] } ]
  - job_name: federate-eu
    honor_labels: true
    metrics_path: /federate
    params: { "match[]": ['{job="node"}'] }
    scheme: https
    basic_auth:
      username: federate
      password: «p:pwa»
    static_configs: [ { targets: ["prom-eu.tervox.org"] } ]
  - job_name: cloud-api
    scheme: https
    authorization:
      credentials: «k:al(48)»
    static_configs: [ { targets: ["api.tervox.org:443"] } ]
  - job_name: blackbox
    metrics_path: /probe
    params: { module: [icmp] }
    static_configs: [ { targets: ["«i:ip6»", "1.1.1.1", "8.8.8.8", "2001:4860:4860::8888"] } ]
    relabel_configs:
      - source_labels: [__address__]
        regex: '(.*):\d+'
        target_label: instance

remote_write:
  - url: https://prometheus-prod-24-prod-eu-west-2.grafana.net/api/prom/push
    basic_auth:
      username: "«digits(7)»"
      password: «k:grafana»
''')

_d("monitoring/alertmanager/alertmanager.yml", r'''
global:
  resolve_timeout: 5m
  smtp_smarthost: 'smtp.tervox.org:587'
  smtp_from: '«e:email»'
  smtp_auth_username: 'alertmanager'
  smtp_auth_password: '«p:pw»'
  slack_api_url: 'https://hooks.slack.com/services/«k:slack_hook»'

route:
  receiver: team-email
  group_by: ['alertname', 'cluster']
  group_wait: 30s
  repeat_interval: 4h
  routes:
    - matchers: [ severity="critical" ]
      receiver: pagerduty
    - matchers: [ team="data" ]
      receiver: telegram

receivers:
  - name: team-email
    email_configs:
      - to: '«e:email»'
        send_resolved: true
  - name: pagerduty
    pagerduty_configs:
      - routing_key: «k:hex(32)»
  - name: telegram
    telegram_configs:
      - bot_token: '«k:telegram»'
        chat_id: -100«digits(10)»
  - name: webhook
    webhook_configs:
      - url: 'http://10.8.0.9:9095/alert'

inhibit_rules:
  - source_matchers: [ severity="critical" ]
    target_matchers: [ severity="warning" ]
    equal: ['alertname', 'instance']
''')

_d("plant-ops/telegraf/telegraf.conf", r'''
[agent]
  interval = "10s"
  round_interval = true
  hostname = ""
  omit_hostname = false

[[outputs.influxdb_v2]]
  urls = ["https://«i:ip4»:8086"]
  token = "«k:influx»"
  organization = "plant-ops"
  bucket = "telemetry"

[[inputs.mysql]]
  servers = ["telegraf:${MYSQL_MONITOR_PASSWORD}@tcp(10.40.0.11:3306)/?tls=false"]

[[inputs.postgresql]]
  address = "host=10.40.0.12 user=telegraf password=$PG_MONITOR_PASSWORD sslmode=disable dbname=postgres"

[[inputs.snmp]]
  agents = ["udp://10.40.1.1:161", "udp://10.40.1.2:161"]
  version = 3
  sec_name = "telegraf"
  auth_protocol = "SHA"
  auth_password = "«p:pw»"
  priv_protocol = "AES"
  priv_password = "«p:pw»"
  [[inputs.snmp.field]]
    name = "uptime"
    oid = "1.3.6.1.2.1.1.3.0"
  [[inputs.snmp.field]]
    name = "hostname"
    oid = "1.3.6.1.2.1.1.5.0"
    is_tag = true
  [[inputs.snmp.table]]
    name = "interface"
    oid = "1.3.6.1.2.1.31.1.1"

[[inputs.ping]]
  urls = ["8.8.8.8", "1.1.1.1", "10.40.0.1"]

[[inputs.http]]
  urls = ["https://api.plantops.io/metrics"]
  headers = {"X-API-Key" = "«k:hex(40)»"}
''')

_d("logging/fluentd/fluent.conf", r'''
<system>
  log_level info
</system>

<source>
  @type forward
  @id in_forward
  port 24224
  bind 0.0.0.0
  <security>
    self_hostname aggregator-01
    shared_key «k:al(32)»
  </security>
</source>

<source>
  @type tail
  path /var/log/app/*.log
  pos_file /var/log/td-agent/app.pos
  tag app.*
  <parse>
    @type json
  </parse>
</source>

<match app.**>
  @type elasticsearch
  @id out_es
  host «i:ip4»
  port 9200
  scheme https
  user fluentd
  password «p:pwa»
  ssl_verify false
  logstash_format true
  <buffer>
    @type file
    path /var/log/td-agent/buffer/es
    flush_interval 5s
  </buffer>
</match>

<match audit.**>
  @type s3
  aws_key_id "#{ENV['AUDIT_AWS_KEY_ID']}"
  aws_sec_key "#{ENV['AUDIT_AWS_SECRET']}"
  s3_bucket audit-logs-prod
  s3_region eu-west-1
</match>

<match alert.**>
  @type mail
  host smtp.solmer.se
  port 587
  user «e:email#m»
  password «p:pwa»
  from «e:email#m»
  to «e:email»
</match>
''')

_d("logging/logstash/pipeline/main.conf", r'''
input {
  beats {
    port => 5044
    ssl => true
    ssl_certificate => "/etc/logstash/certs/ls.crt"
    ssl_key => "/etc/logstash/certs/ls.key"
  }
  jdbc {
    jdbc_driver_library => "/opt/drivers/postgresql-42.7.1.jar"
    jdbc_driver_class => "org.postgresql.Driver"
    jdbc_connection_string => "jdbc:postgresql://10.5.0.30:5432/orders?user=logstash&password=«p:pwa»&ssl=true"
    jdbc_user => "logstash"
    schedule => "*/5 * * * *"
    statement => "SELECT * FROM orders WHERE updated_at > :sql_last_value"
  }
}

filter {
  grok {
    match => { "message" => "%{IPORHOST:client} %{USER:ident} %{USER:auth} \[%{HTTPDATE:timestamp}\]" }
  }
  geoip { source => "client" }
  if [client] == "«i:ip4»" { drop { } }
  mutate { remove_field => ["password", "token", "api_key"] }
}

output {
  elasticsearch {
    hosts => ["https://10.5.0.11:9200", "https://10.5.0.12:9200"]
    user => "logstash_writer"
    password => "«p:pw»"
    ssl_certificate_authorities => ["/etc/logstash/certs/ca.crt"]
    index => "orders-%{+YYYY.MM.dd}"
  }
  elasticsearch {
    hosts => ["https://es-cloud.solmer.se:443"]
    api_key => "«k:elastic_apikey»"
    data_stream => true
  }
}
''')

_d("logging/filebeat/filebeat.yml", r'''
filebeat.inputs:
  - type: filestream
    id: nginx-access
    paths: [/var/log/nginx/access.log]
    fields: { service: web }
  - type: filestream
    id: app-json
    paths: [/srv/app/log/*.json]
    parsers:
      - ndjson: { target: "", add_error_key: true }

processors:
  - add_host_metadata: ~
  - drop_event.when.equals.source.ip: "«i:ip4»"

cloud.id: "prod-logs:«cloudid»"
cloud.auth: "elastic:${ES_PASSWORD}"

output.elasticsearch:
  hosts: ["https://10.5.0.11:9200"]
  username: "filebeat_writer"
  password: "«p:pwa»"
  ssl.certificate_authorities: ["/etc/filebeat/ca.pem"]
  ssl.ca_trusted_fingerprint: "«HEX(64)»"

setup.kibana:
  host: "https://10.5.0.20:5601"
  username: "kibana_setup"
  password: "«p:pwesc»"

monitoring.enabled: true
monitoring.elasticsearch.api_key: "«al(20)»:«k:b64u(22)»"
''')

_d("cdc/connectors/inventory-postgres.json", r'''
{
  "name": "inventory-cdc",
  "config": {
    "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
    "tasks.max": "1",
    "plugin.name": "pgoutput",
    "database.hostname": "«i:ip4»",
    "database.port": "5432",
    "database.user": "debezium",
    "database.password": "«p:pw»",
    "database.dbname": "inventory",
    "database.sslmode": "verify-full",
    "topic.prefix": "inv",
    "table.include.list": "public.orders,public.customers",
    "slot.name": "debezium_inventory",
    "publication.autocreate.mode": "filtered",
    "snapshot.mode": "initial",
    "heartbeat.interval.ms": "10000",
    "schema.history.internal.kafka.bootstrap.servers": "10.60.0.4:9092,10.60.0.5:9092",
    "producer.override.sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"debezium\" password=\"${file:/opt/kafka/secrets.properties:sasl.password}\";",
    "key.converter": "io.confluent.connect.avro.AvroConverter",
    "key.converter.schema.registry.url": "https://psrc-«low(5)».eu-central-1.aws.confluent.cloud",
    "key.converter.basic.auth.credentials.source": "USER_INFO",
    "key.converter.basic.auth.user.info": "«confluent_id»:«k:confluent_secret»",
    "notification.enabled.channels": "sink",
    "errors.deadletterqueue.topic.name": "inv.dlq",
    "transforms": "unwrap",
    "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState"
  }
}
''')

_d("airbyte/sources/billing-postgres.json", r'''
{
  "sourceDefinitionId": "«uuid»",
  "workspaceId": "«uuid»",
  "name": "Postgres - billing (prod)",
  "connectionConfiguration": {
    "host": "10.11.0.8",
    "port": 5432,
    "database": "billing",
    "schemas": ["public"],
    "username": "airbyte",
    "password": "«p:pwesc»",
    "ssl_mode": { "mode": "require" },
    "replication_method": {
      "method": "CDC",
      "replication_slot": "airbyte_slot",
      "publication": "airbyte_pub"
    },
    "tunnel_method": {
      "tunnel_method": "SSH_KEY_AUTH",
      "tunnel_host": "«i:ip4»",
      "tunnel_port": 22,
      "tunnel_user": "airbyte",
      "ssh_key": "«k:openssh_block(json)»"
    }
  },
  "destination": {
    "name": "S3 data lake",
    "connectionConfiguration": {
      "s3_bucket_name": "lake-raw",
      "s3_bucket_region": "eu-west-1",
      "access_key_id": "********************",
      "secret_access_key": "****************************************",
      "format": { "format_type": "Parquet" }
    }
  }
}
''')

_d("superset/superset_config.py", r'''
import os

from celery.schedules import crontab
from flask_appbuilder.security.manager import AUTH_OAUTH

ROW_LIMIT = 50000
SECRET_KEY = "«k:b64(42)»"
PREVIOUS_SECRET_KEY = os.environ.get("SUPERSET_OLD_SECRET_KEY")
SQLALCHEMY_DATABASE_URI = "postgresql+psycopg2://superset:«p:pwpct»@«i:ip4»:5432/superset"
MAPBOX_API_KEY = os.environ.get("MAPBOX_API_KEY", "")
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = 60 * 60 * 24 * 365

SMTP_HOST = "smtp.sendgrid.net"
SMTP_STARTTLS = True
SMTP_SSL = False
SMTP_USER = "apikey"
SMTP_PORT = 587
SMTP_PASSWORD = "«k:sendgrid»"
SMTP_MAIL_FROM = "«e:email»"
EMAIL_REPORTS_SUBJECT_PREFIX = "[Superset] "


class CeleryConfig:
    broker_url = "redis://:«p:pwa»@10.14.0.3:6379/0"
    result_backend = "redis://:" + os.environ.get("REDIS_PASSWORD", "") + "@10.14.0.3:6379/1"
    imports = ("superset.sql_lab", "superset.tasks.scheduler")
    beat_schedule = {
        "reports.scheduler": {"task": "reports.scheduler", "schedule": crontab(minute="*", hour="*")},
    }


CELERY_CONFIG = CeleryConfig

AUTH_TYPE = AUTH_OAUTH
OAUTH_PROVIDERS = [
    {
        "name": "google",
        "icon": "fa-google",
        "token_key": "access_token",
        "remote_app": {
            "client_id": "«digits(12)»-«low(32)».apps.googleusercontent.com",
            "client_secret": "«k:gocspx»",
            "api_base_url": "https://www.googleapis.com/oauth2/v2/",
            "client_kwargs": {"scope": "email profile"},
        },
    }
]
AUTH_USER_REGISTRATION_ROLE = "Gamma"
SLACK_API_TOKEN = "«k:xoxb»"
''')

_d("metabase/metabase.env", r'''
# /etc/default/metabase -- sourced by the systemd unit
MB_DB_TYPE=postgres
MB_DB_DBNAME=metabase
MB_DB_PORT=5432
MB_DB_USER=metabase
MB_DB_PASS=«p:pwa»
MB_DB_HOST=10.16.0.44
MB_JETTY_HOST=0.0.0.0
MB_JETTY_PORT=3000
MB_ENCRYPTION_SECRET_KEY=«k:b64(32)»
MB_EMAIL_SMTP_HOST=smtp.mailgun.org
MB_EMAIL_SMTP_PORT=587
MB_EMAIL_SMTP_SECURITY=tls
MB_EMAIL_SMTP_USERNAME=«e:email»
MB_EMAIL_SMTP_PASSWORD=«p:pwa»
MB_EMAIL_FROM_ADDRESS=«e:email»
MB_SITE_URL=https://bi.lumdat.nl
MB_EMBEDDING_SECRET_KEY=«k:hex(64)»
MB_PASSWORD_COMPLEXITY=strong
MB_PASSWORD_LENGTH=12
MB_SESSION_COOKIES=true
MB_ANON_TRACKING_ENABLED=false
JAVA_OPTS=-Xmx2g -Dlog4j.configurationFile=file:/etc/metabase/log4j2.xml
''')

_d("grafana/provisioning/datasources/datasources.yaml", r'''
apiVersion: 1

deleteDatasources:
  - name: Old-Graphite
    orgId: 1

datasources:
  - name: Prometheus
    type: prometheus
    access: proxy
    url: http://«i:ip4»:9090
    basicAuth: true
    basicAuthUser: grafana
    secureJsonData:
      basicAuthPassword: $__file{/etc/grafana/prom-pass}
  - name: Warehouse
    type: postgres
    url: 10.16.0.40:5432
    user: grafana_ro
    jsonData: { database: warehouse, sslmode: require, postgresVersion: 1500 }
    secureJsonData:
      password: "«p:pw»"
  - name: Loki
    type: loki
    url: https://logs-prod-eu-west-0.grafana.net
    basicAuth: true
    basicAuthUser: "«digits(6)»"
    secureJsonData:
      basicAuthPassword: «k:grafana»
  - name: Tempo-internal
    type: tempo
    url: http://tempo.monitoring.svc:3200
    jsonData: { httpHeaderName1: "X-Scope-OrgID", httpHeaderName2: "Authorization" }
    secureJsonData:
      httpHeaderValue1: "tenant-«low(6)»"
      httpHeaderValue2: "Bearer «k:jwt»"
  - name: InfluxDB
    type: influxdb
    url: http://influx.monitoring.svc:8086
    jsonData: { version: Flux, organization: ops, defaultBucket: metrics }
    secureJsonData:
      token: $__env{INFLUX_TOKEN}
  - name: MySQL-legacy
    type: mysql
    url: 10.16.0.41:3306
    user: grafana
    secureJsonData:
      password: ${LEGACY_MYSQL_PASSWORD}
''')

_d("backend/.teamcity/settings.kts", r'''
import jetbrains.buildServer.configs.kotlin.*
import jetbrains.buildServer.configs.kotlin.buildFeatures.notifications
import jetbrains.buildServer.configs.kotlin.buildSteps.gradle
import jetbrains.buildServer.configs.kotlin.buildSteps.script
import jetbrains.buildServer.configs.kotlin.triggers.vcs
import jetbrains.buildServer.configs.kotlin.vcs.GitVcsRoot

version = "2023.11"

project {
    vcsRoot(MainRepo)
    buildType(Build)
    params {
        password("env.NEXUS_PASSWORD", "credentialsJSON:«uuid»")
        param("env.SONAR_TOKEN", "«k:sonar»")
        param("env.DOCKER_REGISTRY", "10.9.0.40:5000")
        param("teamcity.ui.settings.readOnly", "true")
    }
}

object MainRepo : GitVcsRoot({
    name = "main"
    url = "https://git.kaimer.dev/platform/backend.git"
    branch = "refs/heads/main"
    authMethod = password {
        userName = "teamcity"
        password = "«p:pw»"
    }
})

object Build : BuildType({
    name = "Build & Test"
    vcs { root(MainRepo) }
    steps {
        gradle {
            tasks = "clean build"
            jdkHome = "%env.JDK_17_0%"
        }
        script {
            scriptContent = """
                docker login -u ci -p «p:pwa» %env.DOCKER_REGISTRY%
                docker build -t %env.DOCKER_REGISTRY%/backend:%build.number% .
                docker push %env.DOCKER_REGISTRY%/backend:%build.number%
            """.trimIndent()
        }
    }
    triggers { vcs { } }
    features {
        notifications {
            notifierSettings = emailNotifier { email = "«e:email»" }
            buildFailed = true
            firstSuccessAfterFailure = true
        }
    }
})
''')

_d("web/azure-pipelines.yml", r'''
trigger:
  branches: { include: [main] }

pool:
  vmImage: ubuntu-22.04

variables:
  - group: prod-secrets
  - name: registry
    value: crlyrahq.azurecr.io
  - name: DD_API_KEY
    value: $(DD_API_KEY_SECRET)
  - name: FIGMA_TOKEN
    value: «k:figma»

steps:
  - task: UseNode@1
    inputs: { version: '20.x' }

  - script: |
      echo "$(System.AccessToken)" | az devops login --organization https://dev.azure.com/lyrahq
      docker login $(registry) -u $(ACR_USER) -p $(ACR_PASSWORD)
      docker login ghcr.io -u lyrahq-ci -p «k:ghp»
    displayName: Registry login

  - task: Docker@2
    inputs: { command: buildAndPush, repository: web, containerRegistry: acr-conn }

  - script: |
      curl -sf -X POST "https://«i:ip4»/deploy" \
        -H "Content-Type: application/x-www-form-urlencoded" \
        -d "username=pipeline&password=«p:pwpct»&env=prod"
    displayName: Trigger deploy

  - task: AzureCLI@2
    inputs:
      azureSubscription: prod-conn
      scriptType: bash
      scriptLocation: inlineScript
      inlineScript: |
        az webapp config appsettings set -g rg-web -n web-prod --settings DB_PASSWORD='«p:pw»'
        az webapp restart -g rg-web -n web-prod
''')

_d("api/bitbucket-pipelines.yml", r'''
image: python:3.12-slim

definitions:
  services:
    postgres:
      image: postgres:16
      variables:
        POSTGRES_DB: ci
        POSTGRES_USER: ci
        POSTGRES_PASSWORD: «p:pwa#pg»

pipelines:
  default:
    - step:
        name: Test
        services: [postgres]
        caches: [pip]
        script:
          - pip install -r requirements-dev.txt
          - export DATABASE_URL=postgresql://ci:«p:pwa#pg»@localhost:5432/ci
          - pytest -q
  branches:
    main:
      - step:
          name: Deploy
          deployment: production
          script:
            - pipe: atlassian/ssh-run:0.8.0
              variables:
                SSH_USER: deploy
                SERVER: «i:ip4»
                COMMAND: /srv/app/deploy.sh
            - pipe: atlassian/slack-notify:2.1.0
              variables:
                WEBHOOK_URL: https://hooks.slack.com/services/«k:slack_hook»
                MESSAGE: "Deployed $BITBUCKET_COMMIT"
            - >-
              curl -s -X POST -u "«e:email»:«k:atlassian»"
              -H "Content-Type: application/json"
              https://lyrahq.atlassian.net/rest/api/3/issue/OPS-12/comment -d @comment.json
''')

_d("agent/.drone.yml", r'''
kind: pipeline
type: docker
name: default

steps:
  - name: test
    image: golang:1.22
    environment:
      GOFLAGS: -mod=readonly
      TEST_DB_DSN: "tester:«p:pwa#my»@tcp(mysql:3306)/test?parseTime=true"
    commands:
      - go test ./...

  - name: publish
    image: plugins/docker
    settings:
      registry: registry.kaimer.dev
      repo: registry.kaimer.dev/tools/agent
      username: drone
      password:
        from_secret: registry_password

  - name: deploy
    image: appleboy/drone-ssh
    settings:
      host: [«i:ip4», 10.9.0.31]
      username: deploy
      password:
        from_secret: ssh_password
      script: [ "systemctl restart agent" ]

  - name: notify
    image: plugins/webhook
    settings:
      urls: https://discord.com/api/webhooks/«digits(18)»/«k:b64u(68)»

services:
  - name: mysql
    image: mysql:8.0.36
    environment:
      MYSQL_ROOT_PASSWORD: «p:pwa#my»
      MYSQL_DATABASE: test
''')

_d("api/.buildkite/pipeline.yml", r'''
env:
  BUILDKITE_API_TOKEN: «k:bkua»
  DOCKER_BUILDKIT: "1"
  CODECOV_TOKEN: "«uuid»"
  TF_TOKEN_app_terraform_io: «k:tfc»
  DOPPLER_TOKEN: «k:doppler»
  DATABRICKS_HOST: https://adb-«digits(16)».7.azuredatabricks.net

steps:
  - label: ":docker: build"
    command: |
      echo "«p:pw»" | docker login quay.io -u "lyra+buildkite" --password-stdin
      docker build -t quay.io/lyra/api:$BUILDKITE_COMMIT .
      docker push quay.io/lyra/api:$BUILDKITE_COMMIT
    agents: { queue: linux }

  - label: ":rspec: test"
    command: bin/ci
    plugins:
      - docker-compose#v4.16.0:
          run: app
          env: [ "RAILS_MASTER_KEY" ]

  - wait

  - label: ":circleci: trigger downstream"
    command: |
      curl -X POST https://circleci.com/api/v2/project/gh/lyra/infra-tests/pipeline \
        -H "Circle-Token: «k:circleci»" -H "Content-Type: application/json" -d '{"branch":"main"}'

  - label: ":rocket: deploy"
    command: "bin/deploy --host «i:ip4» --env production"
    branches: main
''')

_d("gitops/argocd/secrets.yaml", r'''
apiVersion: v1
kind: Secret
metadata:
  name: repo-creds-platform
  namespace: argocd
  labels:
    argocd.argoproj.io/secret-type: repo-creds
stringData:
  type: git
  url: https://github.com/lyra-platform
  username: argocd-bot
  password: «k:github_pat»
---
apiVersion: v1
kind: Secret
metadata:
  name: helm-charts
  namespace: argocd
  labels:
    argocd.argoproj.io/secret-type: repository
stringData:
  type: helm
  url: https://charts.kaimer.dev
  username: charts
  password: «p:pw»
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-cm
  namespace: argocd
data:
  url: https://argocd.kaimer.dev
  admin.enabled: "false"
  dex.config: |
    connectors:
      - type: github
        id: github
        name: GitHub
        config:
          clientID: Iv1.«hex(16)»
          clientSecret: «k:hex(40)»
          orgs: [ { name: lyra-platform } ]
---
# bootstrap (from the README):
#   argocd login «i:ip4» --username ops --password '«p:pw»' --grpc-web
#   argocd cluster add prod-eu --kubeconfig ~/.kube/prod
''')

_d("fleet/docs/bootstrap.md", r'''
# Bootstrapping Flux on the edge clusters

1. Export a GitHub PAT with `repo` scope and bootstrap:

   ```sh
   export GITHUB_TOKEN=«k:ghp»
   export GITHUB_USER=lyra-ops
   flux bootstrap github --owner=$GITHUB_USER --repository=fleet \
     --branch=main --path=clusters/edge-ams --personal
   ```

2. Create the SOPS age key secret:

   ```sh
   cat > age.agekey <<EOF
   # created: 2024-02-11T10:21:44Z
   # public key: age1«agepub»
   «k:age»
   EOF
   kubectl -n flux-system create secret generic sops-age --from-file=age.agekey=age.agekey
   ```

3. Database and registry credentials used by the HelmReleases:

   ```sh
   kubectl -n apps create secret generic db-creds \
     --from-literal=username=orders \
     --from-literal=password='«p:pw»'
   kubectl -n apps create secret docker-registry regcred \
     --docker-server=harbor.kaimer.dev --docker-username='robot$flux' \
     --docker-password=«p:pwr» --docker-email=«e:email»
   ```

4. Point the notification provider at the team channel:

   ```yaml
   apiVersion: notification.toolkit.fluxcd.io/v1beta3
   kind: Provider
   metadata: { name: slack, namespace: flux-system }
   spec:
     type: slack
     address: https://hooks.slack.com/services/«k:slack_hook»
   ```

The edge nodes pull images from «i:ip4» (AMS) and «i:ip6» (FRA); in-cluster
traffic stays on 10.42.0.0/16.
''')

_d("ci/tekton/helm-publish.yaml", r'''
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: helm-publish
spec:
  params:
    - name: chart
      type: string
  steps:
    - name: package-and-push
      image: alpine/helm:3.14.0
      script: |
        #!/bin/sh
        set -e
        helm repo add internal https://charts.kaimer.dev --username tekton --password «p:pwa»
        helm package charts/$(params.chart)
        helm cm-push $(params.chart)-*.tgz internal
        helm registry login 10.9.0.40:5000 -u tekton --password-stdin < /workspace/creds/password
    - name: create-pull-secret
      image: bitnami/kubectl:1.29
      script: |
        kubectl create secret docker-registry pull-secret \
          --docker-server=10.9.0.40:5000 \
          --docker-username=tekton \
          --docker-password=«p:pwa» \
          --docker-email=«e:email» --dry-run=client -o yaml | kubectl apply -f -
      env:
        - name: KUBECONFIG
          value: /workspace/kube/config
---
apiVersion: v1
kind: Secret
metadata:
  name: git-basic
  annotations:
    tekton.dev/git-0: https://gitlab.kaimer.dev
type: kubernetes.io/basic-auth
stringData:
  username: tekton-bot
  password: «k:glpat»
''')

_d("directory/bootstrap.ldif", r'''
# bootstrap.ldif -- initial directory content for dc=lyra,dc=internal
# ldapadd -x -D cn=admin,dc=lyra,dc=internal -W -f bootstrap.ldif

dn: olcDatabase={1}mdb,cn=config
changetype: modify
replace: olcRootPW
olcRootPW: «ssha»

dn: ou=people,dc=lyra,dc=internal
changetype: add
objectClass: organizationalUnit
ou: people

dn: uid=nrahman,ou=people,dc=lyra,dc=internal
changetype: add
objectClass: inetOrgPerson
uid: nrahman
cn: Nadia Rahman
sn: Rahman
mail: «e:email»
userPassword: «p:pw»

dn: uid=lvarga,ou=people,dc=lyra,dc=internal
changetype: add
objectClass: inetOrgPerson
uid: lvarga
cn: Lars Varga
sn: Varga
mail: «e:email»
userPassword: «ssha»

dn: uid=svc-gitlab,ou=services,dc=lyra,dc=internal
changetype: add
objectClass: inetOrgPerson
uid: svc-gitlab
cn: GitLab sync
sn: service
mail: «e:sa_email(svc)»
userPassword: «p:pwr»
description: bind account for GitLab LDAP sync, rotated quarterly

dn: cn=replicator,dc=lyra,dc=internal
changetype: add
objectClass: simpleSecurityObject
objectClass: organizationalRole
cn: replicator
userPassword: {CRYPT}«sha512crypt»
''')

_d("batch/bootstrap-workstation.sh", r'''
#!/usr/bin/env bash
# bootstrap-workstation.sh -- writes the credential dotfiles for the batch user
set -euo pipefail
umask 077

cat > "$HOME/.netrc" <<'EOF'
machine api.heroku.com
  login «e:email#h»
  password «k:heroku#hk»
machine git.heroku.com
  login «e:email#h»
  password «k:heroku#hk»
machine backup.lyra.internal login backup password «p:pwa»
EOF

cat > "$HOME/.pgpass" <<'EOF'
# hostname:port:database:username:password
«i:ip4»:5432:analytics:analyst:«p:pwa»
# replicator entry lives in /etc/pgpass.d/replicator
EOF
chmod 600 "$HOME/.pgpass"

cat > "$HOME/.my.cnf" <<'EOF'
[client]
user=batch
password="«p:pw»"
host=10.12.0.9

[mysqldump]
user=backup
password=${MYSQLDUMP_PASSWORD}
EOF

echo "wrote ~/.netrc ~/.pgpass ~/.my.cnf"
''')

_d("api-client/requests/auth.http", r'''
@baseUrl = https://api.lumnex.eu
@contentType = application/json

### Login (form)
POST {{baseUrl}}/oauth/token
Content-Type: application/x-www-form-urlencoded

grant_type=password&username=«e:email»&password=«p:pwpct»&client_id=web-«hex(8)»

### Login (JSON)
POST {{baseUrl}}/v1/sessions
Content-Type: {{contentType}}

{
  "email": "«e:email»",
  "password": "«p:pwesc»",
  "remember": true
}

### Me
GET {{baseUrl}}/v1/me
Authorization: Bearer «k:jwt»

### Legacy admin
GET http://«i:ip4»:8081/admin/health
Authorization: Basic «k:basic»

### Orders (token placeholder)
GET {{baseUrl}}/v1/orders?limit=20
Authorization: Bearer {{token}}
X-Request-Id: «uuid»

### Reset password
POST {{baseUrl}}/v1/password-reset
Content-Type: {{contentType}}

{ "email": "{{userEmail}}" }
''')

_d("release/SIGNING.md", r'''
# Release signing cheat sheet

Export the signing cert for the Windows build:

    openssl pkcs12 -export -in codesign.crt -inkey codesign.key -out codesign.p12 -passout pass:«p:pwa»
    openssl rsa -in server.key.enc -out server.key -passin file:/run/secrets/server_key_pass
    openssl req -new -key server.key -out server.csr -passin env:SERVER_KEY_PASS

Java keystore for the Android upload key:

    keytool -genkeypair -v -keystore upload.jks -alias upload -keyalg RSA -keysize 2048 \
      -validity 10000 -storepass «p:pwa» -keypass «p:pwa» -dname "CN=Lyra Mobile, O=Lyra, C=NL"
    keytool -list -keystore upload.jks -storepass:env UPLOAD_STORE_PASS

GPG (CI only; the key itself comes from $GPG_PRIVATE_KEY):

    echo "$GPG_PRIVATE_KEY" | gpg --batch --import
    gpg --batch --yes --pinentry-mode loopback --passphrase '«p:pw»' --detach-sign dist/app.tar.gz

Archives for the auditors:

    zip -r -P «p:pwa» audit-2024Q1.zip reports/
    unzip vendor-drop.zip    # password: 1Password item "vendor drop"

Check the artifact before upload:

    sha256sum dist/app.tar.gz   # expect «hex(64)»
    curl --netrc -T dist/app.tar.gz https://nexus.lumnex.eu/repository/raw-releases/
    curl -d "api_token=«k:hex(40)»&version=3.4.1.2" https://updates.lumnex.eu/publish

The documented AWS sample pair (AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY)
is what the upload script's tests use; never put real keys here.
''')

_d("oncall/RUNBOOK-legacy.md", r'''
# On-call runbook: legacy fleet

## Jump in

    sshpass -p '«p:pw»' ssh -o StrictHostKeyChecking=no ops@«i:ip4»
    sshpass -f ~/.ssh/legacy.pass scp backup.tar.gz ops@10.70.0.5:/srv/restore/

## Message broker

    rabbitmqctl add_user billing «p:pwa»
    rabbitmqctl set_permissions -p /billing billing ".*" ".*" ".*"
    rabbitmqctl list_users

## Web auth

    htpasswd -b /etc/nginx/htpasswd oncall «p:pwa»

## File shares

    smbclient //fs01.corp.local/finance -U finance_ro%«p:pwa» -c 'ls'
    mount -t cifs //fs01/scans /mnt/scans -o credentials=/root/.smbcred,vers=3.0

## VNC on the lab boxes

    echo '«p:pwx»' | vncpasswd -f > ~/.vnc/passwd

## Mongo / Postgres

    mongosh "mongodb+srv://ops:«p:pwpct»@cluster0.«low(5)».mongodb.net/admin"
    psql "postgresql://ops@10.70.0.8:5432/postgres?sslmode=require"

## Redis

    redis-cli -h «i:ip4» -p 6380 --askpass --tls INFO replication

## Escalation

Page the DBA rota; the vendor NOC is at «e:email».
''')

_d("backup/README.md", r'''
# Off-site backups

Backups are pushed with rclone (Drive + B2 + SFTP) and the legacy s3cmd job.
The config below is what `rclone config show` prints on the backup host.

```ini
[gdrive]
type = drive
client_id = «digits(12)»-«low(32)».apps.googleusercontent.com
client_secret = «k:gocspx»
scope = drive
token = {"access_token":"","token_type":"Bearer","refresh_token":"«k:google_refresh»","expiry":"2024-03-01T12:00:00.000000+01:00"}

[b2]
type = b2
account = 005«hex(22)»
key = «k:b2key»
hard_delete = true

[sftp-backup]
type = sftp
host = «i:ip4»
user = backup
pass = «p:rclone_obscured»
key_file = ~/.ssh/backup_ed25519
```

And `~/.s3cfg` for the legacy job:

```ini
[default]
access_key = «k:aws_akid»
secret_key = «k:aws_secret»
bucket_location = EU
gpg_command = /usr/bin/gpg
gpg_passphrase = «p:pw»
host_base = s3.amazonaws.com
host_bucket = %(bucket)s.s3.amazonaws.com
proxy_host = 10.3.0.7
proxy_port = 3128
use_https = True
```

Restore test: `rclone copy b2:lyra-backups/2024-03-01 /srv/restore --checksum`.
''')

_d("docs/dev-setup/git-auth.md", r'''
# Git authentication on build hosts

The build hosts use the `store` helper, so `~/.git-credentials` holds one URL per line:

```
https://lyra-ci:«k:ghp»@github.com
https://oauth2:«k:glpat»@gitlab.kaimer.dev
https://ci-bot:«p:pwpct»@git.kaimer.dev
https://x-token-auth:«k:bbapp»@bitbucket.org
```

And `~/.gitconfig`:

```ini
[user]
	name = Lyra CI
	email = «e:sa_email(gh)»
	signingkey = «HEX(16)»
[credential]
	helper = store
[credential "https://dev.azure.com"]
	useHttpPath = true
[url "git@github.com:"]
	insteadOf = https://github.com/
[commit]
	gpgsign = true
```

To check what a helper returns:

```sh
printf 'protocol=https\nhost=github.com\n\n' | git credential fill
```

Commit `«hex(40)»` removed the old tokens from this page.
''')

_d("frontend/docs/registries.md", r'''
# Package registries

## npm (`~/.npmrc` on CI)

```ini
registry=https://registry.npmjs.org/
@lyra:registry=https://npm.pkg.github.com/
//npm.pkg.github.com/:_authToken=«k:ghp»
//registry.npmjs.org/:_authToken=«k:npm»
//nexus.kaimer.dev/repository/npm-private/:_auth=«k:basic»
//nexus.kaimer.dev/repository/npm-private/:always-auth=true
email=«e:email»
save-exact=true
```

Locally, use `//registry.npmjs.org/:_authToken=${NPM_TOKEN}` instead.

## Yarn Berry (`.yarnrc.yml`)

```yaml
nodeLinker: node-modules
yarnPath: .yarn/releases/yarn-4.1.0.cjs
npmScopes:
  lyra:
    npmRegistryServer: "https://npm.pkg.github.com"
    npmAuthToken: "${GITHUB_PACKAGES_TOKEN}"
  internal:
    npmRegistryServer: "https://nexus.kaimer.dev/repository/npm/"
    npmAuthIdent: "ci-bot:«p:pwa»"
    npmAlwaysAuth: true
npmRegistries:
  "https://registry.npmjs.org":
    npmAuthToken: "${NPM_TOKEN-}"
packageExtensions:
  "react-native-reanimated@*":
    peerDependencies: { "@babel/core": "*" }
plugins:
  - path: .yarn/plugins/@yarnpkg/plugin-workspace-tools.cjs
    spec: "@yarnpkg/plugin-workspace-tools"
```

Pinned: `lodash@4.17.21`, `@types/node@20.11.5`.
''')

_d("shop-php/auth.json", r'''
{
    "http-basic": {
        "satis.kaimer.dev": {
            "username": "deploy",
            "password": "«p:pw»"
        },
        "nova.laravel.com": {
            "username": "«e:email»",
            "password": "«p:pwr(48)»"
        },
        "repo.packagist.com": {
            "username": "token",
            "password": "${PACKAGIST_TOKEN}"
        }
    },
    "github-oauth": {
        "github.com": "«k:ghp»"
    },
    "gitlab-token": {
        "gitlab.kaimer.dev": "«k:glpat»"
    },
    "bearer": {
        "packages.kaimer.dev": "«k:al(64)»"
    },
    "bitbucket-oauth": {
        "bitbucket.org": {
            "consumer-key": "«al(18)»",
            "consumer-secret": "«k:al(32)»"
        }
    }
}
''')

_d("Lyra.Backend/NuGet.config", r'''
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
    <add key="lyra-internal" value="https://pkgs.dev.azure.com/lyra/_packaging/internal/nuget/v3/index.json" />
    <add key="telerik" value="https://nuget.telerik.com/v3/index.json" />
    <add key="proget" value="http://10.21.0.9:8624/nuget/Default/" />
  </packageSources>
  <packageSourceCredentials>
    <lyra-internal>
      <add key="Username" value="«e:email»" />
      <add key="ClearTextPassword" value="«k:azdo»" />
    </lyra-internal>
    <telerik>
      <add key="Username" value="«e:email»" />
      <add key="ClearTextPassword" value="«p:pw»" />
    </telerik>
    <proget>
      <add key="Username" value="build" />
      <add key="ClearTextPassword" value="«p:pwa»" />
    </proget>
  </packageSourceCredentials>
  <!-- release: dotnet nuget push **/*.nupkg -k «k:nuget» -s https://api.nuget.org/v3/index.json -->
  <packageSourceMapping>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
    <packageSource key="lyra-internal"><package pattern="Lyra.*" /></packageSource>
  </packageSourceMapping>
</configuration>
''')

_d("ci/configure-publishing.sh", r'''
#!/usr/bin/env bash
# configure-publishing.sh -- writes registry credentials for the release job
set -euo pipefail

cat > ~/.pypirc <<EOF
[distutils]
index-servers =
    pypi
    testpypi
    internal

[pypi]
username = __token__
password = «k:pypi»

[testpypi]
repository = https://test.pypi.org/legacy/
username = «user»
password = «p:pw»

[internal]
repository = https://pypi.kaimer.dev/simple/
username = uploader
password = ${INTERNAL_PYPI_PASSWORD}
EOF

mkdir -p ~/.config/pip
cat > ~/.config/pip/pip.conf <<EOF
[global]
index-url = https://uploader:«p:pwpct»@pypi.kaimer.dev/simple/
extra-index-url = https://pypi.org/simple/
trusted-host = pypi.kaimer.dev
timeout = 60
EOF

cat > ~/.condarc <<EOF
channels:
  - https://conda.kaimer.dev/t/«k:al(32)»/lyra
  - conda-forge
channel_alias: https://conda.kaimer.dev
proxy_servers:
  https: http://10.3.0.7:3128
ssl_verify: true
EOF

mkdir -p ~/.cargo
cat > ~/.cargo/credentials.toml <<EOF
[registry]
token = "«k:cratesio»"

[registries.lyra]
token = "Bearer ${LYRA_CARGO_TOKEN}"
EOF
chmod 600 ~/.pypirc ~/.cargo/credentials.toml
''')

_d("platform/.m2/settings.xml", r'''
<settings xmlns="http://maven.apache.org/SETTINGS/1.2.0"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.2.0 https://maven.apache.org/xsd/settings-1.2.0.xsd">
  <localRepository>${user.home}/.m2/repository</localRepository>
  <servers>
    <server>
      <id>nexus-releases</id>
      <username>deployment</username>
      <password>«p:pw»</password>
    </server>
    <server>
      <id>nexus-snapshots</id>
      <username>${env.NEXUS_USER}</username>
      <password>${env.NEXUS_PASSWORD}</password>
    </server>
    <server>
      <id>github</id>
      <username>lyra-ci</username>
      <password>«k:ghp»</password>
    </server>
    <server>
      <id>ssh-site</id>
      <username>site</username>
      <privateKey>${user.home}/.ssh/id_ed25519</privateKey>
      <passphrase>«p:pw»</passphrase>
    </server>
    <server>
      <id>docker.io</id>
      <username>lyraci</username>
      <password>«k:dockerhub»</password>
      <configuration><email>«e:email»</email></configuration>
    </server>
  </servers>
  <proxies>
    <proxy>
      <id>corp</id>
      <active>true</active>
      <protocol>http</protocol>
      <host>10.3.0.7</host>
      <port>3128</port>
      <username>mvn</username>
      <password>${env.PROXY_PASSWORD}</password>
      <nonProxyHosts>localhost|*.lyra.internal|10.*</nonProxyHosts>
    </proxy>
  </proxies>
  <profiles>
    <profile>
      <id>release</id>
      <properties>
        <sonar.host.url>https://sonarcloud.io</sonar.host.url>
        <gpg.keyname>«HEX(40)»</gpg.keyname>
        <gpg.passphrase>«p:pw»</gpg.passphrase>
      </properties>
    </profile>
  </profiles>
</settings>
''')

_d("web/.env.production.local", r'''
# Pulled with `vercel env pull` -- do not commit (it was committed anyway, see SEC-301)
VERCEL_TOKEN=«k:al(24)»
NETLIFY_AUTH_TOKEN=«k:netlify»

NEXT_PUBLIC_SUPABASE_URL=https://«low(20)».supabase.co
SUPABASE_SERVICE_ROLE_KEY=«k:jwt»
SUPABASE_ACCESS_TOKEN=«k:supabase»

DATABASE_URL=mysql://«low(12)»:«k:pscale_pw»@aws.connect.psdb.cloud/lyra?sslaccept=strict
PLANETSCALE_SERVICE_TOKEN_ID=«low(12)»
PLANETSCALE_SERVICE_TOKEN=${PSCALE_TOKEN}

CLERK_SECRET_KEY=«k:clerk»
NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY=«clerk_pk»
RENDER_API_KEY=«k:render»
RAILWAY_TOKEN=<set in the Railway dashboard>

NEXT_PUBLIC_ALGOLIA_APP_ID=«up(10)»
ALGOLIA_ADMIN_API_KEY=${ALGOLIA_ADMIN_API_KEY}
CONTENTFUL_SPACE_ID=«low(12)»
CONTENTFUL_MANAGEMENT_TOKEN=«k:contentful»
SANITY_API_TOKEN=«k:sanity»
SEGMENT_PUBLIC_API_TOKEN=
MIXPANEL_API_SECRET=YOUR_MIXPANEL_SECRET
AMPLITUDE_SECRET_KEY=<ask data-eng>
LAUNCHDARKLY_SDK_KEY=«k:ld»
NEXT_PUBLIC_LAUNCHDARKLY_CLIENT_ID=«hex(24)»
PUSHER_APP_ID=«digits(7)»
PUSHER_SECRET=«k:hex(20)»
ABLY_API_KEY=«k:ably»
LINEAR_API_KEY=lin_api_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
NOTION_TOKEN=«k:notion»
AIRTABLE_TOKEN=«k:airtable»
ASANA_PAT=«k:asana»
NEXT_PUBLIC_SITE_VERSION=4.12.0.1
''')

_d("observability/values-prod.yaml", r'''
# values-prod.yaml for the observability umbrella chart
sentry:
  dsn: https://«hex(32)»@o«digits(6)».ingest.us.sentry.io/«digits(16)»
  authToken: «k:sentry»
  org: lyra
bugsnag:
  apiKey: ""
rollbar:
  accessToken: ""
  environment: production
newrelic:
  licenseKey: «k:newrelic»
dynatrace:
  apiUrl: https://«low(8)».live.dynatrace.com/api
  apiToken: «k:dynatrace»
datadog:
  apiKey: «k:hex(32)»
  appKey: ""
  site: datadoghq.eu
codecov:
  token: «uuid»
grafanaCloud:
  stackId: «digits(6)»
  token: «k:grafana»
image:
  repository: ghcr.io/lyra/otel-collector
  tag: 0.96.0
  digest: sha256:«hex(64)»
collector:
  exporters:
    otlphttp:
      endpoint: https://otel-gw.lyra.internal:4318
      headers: { x-api-key: "${env:OTLP_API_KEY}" }
  resources:
    limits: { cpu: 500m, memory: 512Mi }
''')

_d("Lyra.Payments/appsettings.Production.json", r'''
{
  "Payments": {
    "Square": {
      "Environment": "production",
      "AccessToken": "«k:square»",
      "ApplicationId": "sq0idp-«b64u(22)»",
      "LocationId": "«up(13)»"
    },
    "PayPal": { "ClientId": "A«b64u(79)»", "ClientSecret": "«k:paypal»", "Mode": "live" },
    "Adyen": {
      "ApiKey": "«k:adyen»",
      "MerchantAccount": "LyraECOM",
      "ClientKey": "live_«up(32)»"
    },
    "Razorpay": { "KeyId": "«k:razorpay»", "KeySecret": "" },
    "Paystack": { "SecretKey": "«k:paystack»", "PublicKey": "pk_live_«hex(40)»" },
    "Flutterwave": { "SecretKey": "«k:flutterwave»", "PublicKey": "FLWPUBK-«hex(32)»-X" },
    "Braintree": { "AccessToken": "%BRAINTREE_ACCESS_TOKEN%" },
    "Stripe": { "SecretKey": "", "PublishableKey": "«pk_live»" }
  },
  "ConnectionStrings": {
    "Payments": "Host=10.21.0.6;Port=5432;Database=payments;Username=payments;Password=«p:pw»;SSL Mode=Require"
  },
  "Logging": { "LogLevel": { "Default": "Information", "Microsoft.AspNetCore": "Warning" } },
  "AllowedHosts": "*"
}
''')

_d("social-login/config/services.php", r'''
<?php

return [
    'twitch' => [
        'client_id' => '«low(30)»',
        'client_secret' => env('TWITCH_CLIENT_SECRET'),
        'redirect' => env('TWITCH_REDIRECT_URI'),
    ],
    'twitter' => [
        'bearer_token' => '«k:twitter_bearer»',
        'client_id' => '«b64u(34)»',
        'client_secret' => env('TWITTER_CLIENT_SECRET'),
    ],
    'facebook' => [
        'client_id' => '«digits(15)»',
        'client_secret' => '«k:hex(32)»',
        'page_token' => '«k:fb_token»',
    ],
    'instagram' => ['access_token' => '«k:instagram»'],
    'linkedin-openid' => [
        'client_id' => '«low(14)»',
        'client_secret' => env('LINKEDIN_CLIENT_SECRET'),
    ],
    'zoom' => [
        'account_id' => '«b64u(22)»',
        'client_id' => '«b64u(22)»',
        'client_secret' => '«k:al(32)»',
    ],
    'dropbox' => ['access_token' => '«k:dropbox»'],
    'box' => ['developer_token' => env('BOX_DEVELOPER_TOKEN')],
    'okta' => ['base_url' => 'https://lyra.okta.com', 'api_token' => '«k:okta»'],
    'auth0' => [
        'domain' => 'lyra.eu.auth0.com',
        'client_id' => '«al(32)»',
        'client_secret' => '«k:b64u(64)»',
    ],
    'shopify' => ['admin_token' => env('SHOPIFY_ADMIN_TOKEN'), 'shop' => 'lyra-store.myshopify.com'],
    'postmark' => ['token' => env('POSTMARK_TOKEN')],
    'ses' => [
        'key' => env('AWS_ACCESS_KEY_ID'),
        'secret' => env('AWS_SECRET_ACCESS_KEY'),
        'region' => 'eu-west-1',
    ],
];
''')

# ------------------------------------------------------------------ documents with no positives

_d("infra/envs/prod/.terraform.lock.hcl", r'''
# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/cloudflare/cloudflare" {
  version     = "4.24.0"
  constraints = "~> 4.20"
  hashes = [
    "h1:«b64(32)»",
    "zh:«hex(64)»",
    "zh:«hex(64)»",
    "zh:«hex(64)»",
  ]
}

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.38.0"
  constraints = ">= 5.0.0, < 6.0.0"
  hashes = [
    "h1:«b64(32)»",
    "h1:«b64(32)»",
    "zh:«hex(64)»",
    "zh:«hex(64)»",
    "zh:«hex(64)»",
  ]
}

provider "registry.terraform.io/hashicorp/random" {
  version = "3.6.0"
  hashes = [
    "h1:«b64(32)»",
    "zh:«hex(64)»",
  ]
}

provider "registry.terraform.io/hashicorp/vault" {
  version     = "3.25.0"
  constraints = "3.25.0"
  hashes = [
    "h1:«b64(32)»",
    "zh:«hex(64)»",
  ]
}
''')

_d("ops/kube/config-readonly.yaml", r'''
apiVersion: v1
kind: Config
current-context: prod-readonly
clusters:
  - name: prod
    cluster:
      server: https://10.0.32.1:6443
      certificate-authority-data: «b64(900)»
  - name: staging
    cluster:
      server: https://192.168.56.10:6443
      insecure-skip-tls-verify: true
contexts:
  - name: prod-readonly
    context:
      cluster: prod
      user: oidc
      namespace: default
users:
  - name: oidc
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1beta1
        command: kubectl
        args:
          - oidc-login
          - get-token
          - --oidc-issuer-url=https://sso.lyra.internal/realms/platform
          - --oidc-client-id=kubernetes
          - --oidc-extra-scope=groups
        env:
          - name: OIDC_CLIENT_SECRET_FILE
            value: /run/secrets/oidc-client-secret
        interactiveMode: IfAvailable
# CA fingerprint (sha256): «HEX(64)»
# token: ${KUBE_TOKEN}
''')

_d("halnova_app/lib/l10n/app_de.arb", r'''
{
  "@@locale": "de",
  "loginTitle": "Anmelden",
  "@loginTitle": { "description": "Title of the login screen" },
  "emailLabel": "E-Mail-Adresse",
  "emailHint": "Deine geschäftliche Adresse",
  "passwordLabel": "Passwort",
  "@passwordLabel": { "description": "Label of the password field" },
  "passwordHint": "Mindestens 12 Zeichen",
  "confirmPasswordLabel": "Passwort bestätigen",
  "forgotPassword": "Passwort vergessen?",
  "resetPasswordButton": "Link zum Zurücksetzen senden",
  "resetPasswordSent": "Wir haben dir eine E-Mail mit einem Link geschickt.",
  "passwordTooShort": "Das Passwort ist zu kurz.",
  "passwordMismatch": "Die Passwörter stimmen nicht überein.",
  "passwordMasked": "••••••••",
  "apiKeyLabel": "API-Schlüssel",
  "apiKeyHint": "sk_live_…",
  "tokenExpired": "Deine Sitzung ist abgelaufen. Bitte melde dich erneut an.",
  "secretQuestionLabel": "Sicherheitsfrage",
  "twoFactorCodeHint": "6-stelliger Code",
  "appVersion": "Version {version}",
  "@appVersion": { "placeholders": { "version": { "type": "String", "example": "2.3.0.118" } } },
  "supportContact": "Hilfe unter support@ in der App",
  "showPassword": "Passwort anzeigen",
  "hidePassword": "Passwort verbergen"
}
''')

_d("netlab/dnsmasq.conf", r'''
# dnsmasq.conf -- lab network
domain-needed
bogus-priv
no-resolv
server=1.1.1.1
server=1.0.0.1
server=8.8.8.8
server=2606:4700:4700::1111
server=/corp.local/10.0.0.2
listen-address=127.0.0.1,192.168.50.1
interface=br-lab
bind-interfaces

dhcp-range=192.168.50.100,192.168.50.200,255.255.255.0,12h
dhcp-range=set:iot,10.77.0.50,10.77.0.150,255.255.254.0,24h
dhcp-option=option:router,192.168.50.1
dhcp-option=option:dns-server,192.168.50.1
dhcp-option=option:ntp-server,192.168.50.1
dhcp-option=tag:iot,option:router,10.77.0.1
dhcp-host=«mac»,printer-2f,192.168.50.20
dhcp-host=«mac»,nas,192.168.50.21,infinite
dhcp-authoritative

# test ranges used in the docs
address=/demo.lab/192.0.2.10
address=/demo6.lab/2001:db8::10
address=/cgnat.lab/100.64.3.7
address=/meta.lab/169.254.169.254

# multicast / broadcast, never forwarded
# 224.0.0.251 (mDNS), 239.255.255.250 (SSDP), 255.255.255.255
log-queries
log-facility=/var/log/dnsmasq.log
cache-size=1000
# firmware 2.89.0.4 on the router; SNMP sysObjectID 1.3.6.1.4.1.8072.3.2.10
''')

_d("ledgerly/lib/ledgerly/accounts.ex", r'''
defmodule Ledgerly.Accounts do
  @moduledoc """
  The Accounts context: registration, password changes and session tokens.
  """
  import Ecto.Query, warn: false
  alias Ledgerly.Repo
  alias Ledgerly.Accounts.{User, UserToken}

  @reset_password_validity_in_days 1
  @min_password_length 12

  @doc "Gets a user by email and password."
  def get_user_by_email_and_password(email, password)
      when is_binary(email) and is_binary(password) do
    user = Repo.get_by(User, email: email)
    if User.valid_password?(user, password), do: user
  end

  @impl true
  def change_user_password(user, attrs \\ %{}) do
    User.password_changeset(user, attrs, hash_password: false)
  end

  def reset_password_url(token), do: "/users/reset_password/#{token}"

  def password_changeset(user, attrs) do
    user
    |> Ecto.Changeset.cast(attrs, [:password])
    |> Ecto.Changeset.validate_length(:password, min: @min_password_length, max: 72)
    |> Ecto.Changeset.validate_confirmation(:password, message: "does not match password")
    |> put_password_hash()
  end

  defp put_password_hash(%{valid?: true, changes: %{password: password}} = cs) do
    Ecto.Changeset.put_change(cs, :hashed_password, Bcrypt.hash_pwd_salt(password))
  end

  defp put_password_hash(cs), do: cs

  # fixtures used in doctests
  @fixture_hash "«bcrypt»"
  @fixture_session_id "«uuid»"
  @fixture_secret_name "LEDGERLY_SECRET_KEY_BASE"

  def fixture_hash, do: @fixture_hash
  def fixture_session_id, do: @fixture_session_id
  def secret_key_base, do: System.fetch_env!(@fixture_secret_name)

  def generate_user_session_token(user) do
    {token, user_token} = UserToken.build_session_token(user)
    Repo.insert!(user_token)
    token
  end
end
''')


# ================================================================================== build + check

def _build(seed: int) -> list[tuple[str, LabelledDoc]]:
    out = []
    for name, template in _DOCS:
        marked = _render(name, template, seed)
        out.append((marked, _parse(f"testset9/{name}", marked)))
    return out


def testset9_documents(seed: int = SEED) -> list[LabelledDoc]:
    """The labelled documents of set 9; deterministic for a given seed."""
    return [doc for _, doc in _build(seed)]


def _check(seed: int = SEED) -> list[LabelledDoc]:
    built = _build(seed)
    names = [doc.name for _, doc in built]
    assert len(names) == len(set(names)), "duplicate document names"
    for marked, doc in built:
        values = [m.group(2) for m in re.finditer(r"⟦(email|ip_address|key|password)\|(.*?)⟧", marked, re.S)]
        assert len(values) == len(doc.spans), doc.name
        for ch in "⟦⟧«»":
            assert ch not in doc.text, f"{doc.name}: marker character {ch!r} left in text"
        prev_end = -1
        for (kind, start, end), value in zip(doc.spans, values):
            assert kind in ("email", "ip_address", "key", "password"), (doc.name, kind)
            assert end > start, f"{doc.name}: empty span"
            assert doc.text[start:end] == value, f"{doc.name}: span text mismatch"
            assert value == value.strip(), f"{doc.name}: span with surrounding whitespace {value!r}"
            assert start >= prev_end, f"{doc.name}: overlapping spans at {start}"
            prev_end = end
        exact = {(s, e) for _, s, e in doc.spans}
        for kind, start, end in doc.spans:
            value = doc.text[start:end]
            i = doc.text.find(value)
            while i != -1:
                assert (i, i + len(value)) in exact, (
                    f"{doc.name}: unlabelled repeat of planted {kind} {value[:40]!r} at {i}")
                i = doc.text.find(value, i + 1)
    return [doc for _, doc in built]


if __name__ == "__main__":
    from collections import Counter

    docs = _check(SEED)
    for other in (1, 2, 3, 17, 2024, 424242):
        _check(other)
    per_kind = Counter(kind for d in docs for kind, _, _ in d.spans)
    empty = sum(1 for d in docs if not d.spans)
    print(f"documents: {len(docs)} ({empty} with no positives)")
    print(f"spans: {sum(per_kind.values())}")
    for kind in ("email", "ip_address", "key", "password"):
        print(f"  {kind:<11} {per_kind[kind]}")
    lines = [d.text.count("\n") + 1 for d in docs]
    print(f"lines per document: min {min(lines)}, max {max(lines)}")
