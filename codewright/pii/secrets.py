"""Keys, tokens and passwords, through detect-secrets' plugins on candidate windows only.

detect-secrets scans every line with some forty regexes and its filters; on code that is far
too slow (tens of KB/s, bench/pii.py). Here one cheap pass over the text picks candidates — a
long token in which a letter touches a digit, a secret-sounding keyword, a URL with
credentials, a private-key header — and the plugins' own regexes run on a bounded window
around each candidate. Windows are capped in size, so a 1 MB line costs what its candidates
cost, never lines x regexes x length.

What the plugins report is then guarded against the usual false positives in code: hashes next
to `sha`/`md5`/`digest`, UUIDs, sequential alphabets, templated placeholders (`<your-api-key>`,
`${TOKEN}`), identifiers (`PASSWORD_FIELD = "password"`), prose.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from functools import lru_cache
from typing import Iterator
from urllib.parse import unquote

from detect_secrets.filters.heuristic import (
    is_potential_uuid,
    is_sequential_string,
    is_templated_secret,
)
from detect_secrets.plugins import keyword as ds_keyword
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.basic_auth import BasicAuthDetector
from detect_secrets.plugins.high_entropy_strings import (
    Base64HighEntropyString,
    HexHighEntropyString,
)

# Handled by their own rules: IPs (codewright.pii.network), keyword assignments and URL
# credentials (passwords below), private keys (whole blocks, not just the header line).
_OWN_RULES = {"IPPublicDetector", "KeywordDetector", "BasicAuthDetector", "PrivateKeyDetector"}

# Window bounds around a trigger: provider regexes look back for context (`aws ... key ...
# "..."`); keyword rules look forward for the value and back for `"value" == password`.
TOKEN_BEFORE, TOKEN_AFTER = 120, 80
KEYWORD_BEFORE, KEYWORD_AFTER = 80, 300
MAX_WINDOW = 4096  # merged windows are split beyond this, to stay linear on huge lines
# Why a window was opened, i.e. which rules it needs: TOKEN (provider formats, entropy),
# KEYWORD (`password = ...`), URL (credentials in a URL or on a command line), DEFINE (C and
# PHP `define`), CALL (positional credentials of well-known APIs), PGPASS (.pgpass named),
# QUERY (a signature in a URL's query: `&sig=`, percent-encoded, may hold no long token run).
TOKEN, KEYWORD, URL, DEFINE, CALL, PGPASS, QUERY = 1, 2, 4, 8, 16, 32, 64

# The prefilter works on bytes views of the text, one byte per character (`?` for anything
# outside ASCII, so offsets are the text's): translate() and literal searches run at hundreds
# of MB/s where a character-class regex over str crawls at a few.
_TOKEN_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
_TOKEN_VIEW = bytes(ord("a") if c in _TOKEN_CHARS else ord(" ") for c in range(256))
# A run of 16+ base64 characters in which a letter touches a digit: almost every provider token holds
# one (`ghp_` + 36, `sk_live_` + 24, `AKIA` + 16, ...) and so does any random string, while
# identifiers rarely do (`_` and `-` split `test_issue_12345` into short runs).
# bytes.find (two-way search) finds the run's start faster than sre's prefix scan; the view holds
# only `a` and ` `, so the run ends at the next space.
_RUN16 = b"a" * 16
# URL-safe tokens (`glpat-...`, Telegram's `123:AA..-_..`) may have no 16-run without `-` or
# `_`; counting those as token characters lets snake_case in, so such runs must be longer.
_URLSAFE_VIEW = bytes(ord("a") if c in _TOKEN_CHARS + b"_-" else ord(" ") for c in range(256))
_RUN24 = b"a" * 24
_CLASS_VIEW = bytes(
    ord("a") if chr(c).isascii() and chr(c).isalpha() else ord("0") if chr(c).isascii() and chr(c).isdigit() else ord(" ")
    for c in range(256)
)
# Every literal here is one more pass over each document (~0.7 ms/MB): other languages' words
# for password are limited to those the blind sets used (`passwort` and `mot_de_passe` hold
# `pass`; Italian/Romanian `parola` is also a plain word and not worth its pass).
_KEYWORD_LITERALS = (b"pass", b"pw", b"secret", b"contrase", b"key", b"kennwort", b"senha", b"wachtwoord", b"haslo", b"authtok")
# `pw` is frequent inside base64 and hex: its candidates come from one regex pass (filtered in C).
_PW_SPOT = re.compile(rb"pw(?=d|['\"\]]{0,2}[ \t]*(?:[:=]|=>)|[ \t]+[^\s=:])")
# `pw` names a password only as a word of a name (`default_pw`, `bindpw`, `DB_PW`, `adminPw`)
# followed by an assignment or, first on its line, by a value (`bindpw s3cret` in ldap.conf).
_SPACE_VALUE = re.compile(rb"[ \t]+[^\s=:#]")
_PW_ASSIGN_AHEAD = re.compile(rb"[ \t]*(?:[:=]|=>)")
_LEAD = re.compile(rb"[ \t]*(?:[\w.\-]*)")
_PW_BEFORE_OK = re.compile(rb"(?:^|[^a-z]|bind|root|db|admin|user|default|master|auth|login|app)\Z")
# `pass` alone is Python's no-op statement: only `password`, `db_pass =`, `"pass": ...` and
# `#define MQTT_PASS "..."` count.
_PASS_CONTINUES = re.compile(rb"[\w\-]|['\"\]]{0,2}[ \t]*[:=,]|[ \t]+['\"]|\[\w{0,8}\][ \t]*=")
# Provider prefixes whose random part may hold no digit (`sk_live_` + 24 letters, Hugging Face's
# `hf_` + 34 letters): followed by 20+ URL-safe characters, one opens a token window even without
# a letter-digit pair. Each is one more pass over the text, so only these two.
_TOKEN_PREFIXES = (re.compile(rb"k_(?:live|test)_"), re.compile(rb"hf_"), re.compile(rb"GOCSPX-"))
# AWS access key ids are 16 characters of [A-Z2-7] after the prefix: one in thirty has no digit.
_AWS_ID_PREFIXES = (b"AKIA", b"ASIA")
_AWS_ID_BODY = re.compile(rb"[A-Z0-9]{16}(?![A-Za-z0-9])")
_PREFIX_BODY = re.compile(rb"[A-Za-z0-9_\-]{20}[A-Za-z0-9_\-]*")
# Calls that take a credential by position (`HTTPBasicAuth(`, `auth=(`, `NetworkCredential(`,
# `.login(`, `new PDO(`, `mysqli_connect(`, `pymysql.connect(`) and PHP's `define(`: all end in
# `(`, so one pass finds them: at each `(`, a fixed-width look at the four bytes before it.
_CALL_SPOT = re.compile(
    rb"\((?:(?<=(?:auth|uth=|h = |th =|tial|ials|ogin| pdo|\\pdo|sqli|nect|fine|ine |.ftp|_tls|bind|_set)\()|(?<=smtp\.start\()|"
    rb"(?<=getconnection\()|(?<=ldap3\.connection\())"
)
_HASH_SPOT = re.compile(rb"hash(?:pw|sync)?\((?=[ \t]*b?['\"`])")
_DEFINE_SPOT = re.compile(rb"define[ \t]*\(\Z")
# `mysql -p'pw'`, `sshpass -p pw`; and SQL's `IDENTIFIED BY`.
_DASH_P_SPOT = re.compile(rb"-p(?<= -p)")
_DASH_P_FOLLOWS = re.compile(rb"['\"\w]|[ \t]+\S")
_IDENTIFIED_FOLLOWS = re.compile(rb"[ \t]+(?:with[ \t]+\w+[ \t]+)?by[ \t]")
# .pgpass: `host:port:database:user:password`; a `:port:` or `:*:` is where to look.
_PGPASS_SPOT = re.compile(rb":(?:[0-9]{2,5}|\*):")
_PGPASS_LINE = re.compile(r"[ \t]*[\w.\-*]+:(?:[0-9]{2,5}|\*):[^\s:]+:[^\s:]+:(\S{1,128}?)[ \t\r]*\Z")
_FLAG_BEFORE = re.compile(rb"(?<![\w\-])--?[a-z0-9_.\-]*\Z")
_DEVICE_KEY_FOLLOWS = re.compile(rb"[ \t]+[07][ \t]+\S")
_KEY_PREFIX = re.compile(rb"(?:api|auth|service|account|db|database|priv|private|client)[_\-]?\Z")

# A private key is the whole block, not the header line detect-secrets reports: the base64
# body is the secret. Bounded, so an unterminated header cannot swallow the rest of a file.
_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
    r"[\s\S]{0,16384}?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
    r"|-----BEGIN OpenVPN Static key V1-----[\s\S]{0,4096}?-----END OpenVPN Static key V1-----"  # tls-auth / secret
)
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=]{32,}")  # a real block has a body, not code between markers
_HASH_CONTEXT = re.compile(r"(?i)sha\d*|md5|digest|hash|checksum|fingerprint|crc|integrity|blake|\bsum\b|\betag\b|commit|\brev\b")
_SECRET_CONTEXT = re.compile(r"(?i)key|token|secret|auth|pass|pwd|credential|bearer|salt")
_ID_CONTEXT = re.compile(r"(?i)(?:\b|_)(?:id|ids|uuid|guid)\b\s*[:=]")
_PLACEHOLDER_WORDS = frozenset(
    """password passwd pwd pass passphrase secret secrets token key apikey api_key changeme change_me
    mypassword my_password yourpassword your_password your_secret your_token your_api_key
    example sample value values dummy fake test testing none null nil true false undefined redacted hidden
    masked removed placeholder xxx xxxx xxxxx todo fixme required optional default empty
    bool boolean str string int integer float double object list dict bytes char number any
    """.split()
)
_PASSWORD_WORDS = ("pass", "pwd", "contrase")
# `PASSWORD_FIELD = "password"`, `password_min_length = 8`: the name describes a password.
_DESCRIBING_SUFFIX = re.compile(
    r"(?i)(?:pass(?:word|wd)?|pwd?|secret|key)[_\-]?(?:hash|hashed|hasher|field|label|prompt|name|"
    r"names|file|path|url|env|var|len|length|min|max|regex|pattern|policy|reset|help|message|msg|"
    r"text|error|type|id|column|col|input|form|widget|attr|param|header|option|confirm|strength|hint|tooltip|title|"
    r"validator|required|changed|expires|expiry|timeout|count|char|chars|size|mask|placeholder|"
    r"encoder|encoding|algorithm|algo|alg|scheme|stdin|rotation|age|history|ttl|authentication|enabled|disabled|"
    r"encryption|encrypt|cipher|protected|less|based|expired|dict|map|list|manager|mgr|class|callback|handler|"
    r"md5|sha\d*|digest|crypt|crypted|token|variable)"
    r"(?:\b|(?=[_\-.])|(?-i:(?![a-z])))"
)
_SECRET_WORD = re.compile(r"(?i)pass(?:word|wd|phrase)?|pwd?|secret|key")


def _describing(name: str) -> bool:
    """`PASSWORD_FIELD`, `password_hash_alg`, `passwordEncoder`: the name describes a secret. The
    last secret word decides: `key_file_password` is a password, `password_hash_alg` is not."""
    last = None
    for last in _SECRET_WORD.finditer(name):
        pass
    return last is not None and _DESCRIBING_SUFFIX.match(name, last.start()) is not None
# Identifiers in camelCase, PascalCase, snake_case or dotted form, without digits.
_NAMEISH = re.compile(r"[A-Za-z]+(?:[a-z][A-Z]|_|\.)[A-Za-z_.]*|[A-Z][a-z]+[A-Z][A-Za-z]*")
_NAMES_A_PASSWORD = re.compile(r"(?i)pass(?:word|wd|phrase)|secret|pwd")
_PATH = re.compile(r"(?:/|~/|\.\.?/|[A-Za-z]:\\)[\w.\-]+(?:[/\\][\w.\-]*)*")
_UNQUOTED_VALUE = re.compile(r"[\w!@#$%^&*+\-=~/.?]{4,128}")

# The name a value is assigned to, read backwards from the value: `"api_token": "`,
# `aws_session_token = `, `define( 'AUTH_KEY', '`, `"image/png": "`.
_NAME_BEFORE = re.compile(
    r"([\w.\-/]+)(?:\[\w{0,8}\]|\\?['\"\]]{0,2})[ \t]*(?::[ \t]*&?(?:'static[ \t]+)?[\w:<>.\[\]]{1,40}(?:[ \t]*\|[ \t]*[\w.\[\]]{1,20})?[ \t]*)?"
    r"(?:=>|:=|\?=|[=:,(])[ \t]*(?:\[\]byte\(|bytes?\(|JSON\.stringify\()?(?:\\?['\"`])?\Z"
)
_ID_NAME = re.compile(r"(?:^|[_.\-])(?:[Ii][Dd][Ss]?|[Uu]uid|UUID|[Gg]uid|GUID|lineage)\Z|[a-z](?:Id|Ids|Uuid|Guid)\Z")
_HASH_NAME = re.compile(
    r"(?i)(?:^|[_.\-])sha(?:\d+)?(?:sum)?(?:$|[_.\-])|sha\d+|md5|digest|hash(?!icorp)|checksum|fingerprint|"
    r"(?:^|[_.\-])crc|integrity|blake|etag|commit|(?:^|[_.\-])rev(?:$|[_.\-])|revision"
)
_MIME_NAME = re.compile(r"(?i)\b(?:image|font|audio|video|application)/")
# Base64 of binary files starts with their magic bytes: PNG, JPEG, GIF, WebP/RIFF, WOFF/WOFF2,
# PDF, zip, gzip, SVG, ICO. Such a blob is an embedded file (a notebook's plot), not a key.
# Public by design: Stripe publishable keys, SSH public keys (base64 of `ssh-rsa`, `ssh-ed25519`,
# `ecdsa-...`).
_NOT_SECRET_PREFIXES = ("iVBORw0KGgo", "/9j/", "R0lGOD", "UklGR", "d09GMg", "d09GRg", "JVBERi0", "UEsDB",
                        "H4sI", "PHN2Zy", "PD94bWwg", "AAABAA", "AAEAAAA",
                        "pk_live_", "pk_test_", "AAAAB3NzaC1", "AAAAC3NzaC1", "AAAAE2VjZHNh",
                        # base64 of PEM certificates and public keys (kubeconfig `*-data:`, k8s
                        # `caBundle:`), of `ssh-rsa ...` / `ssh-ed25519 ...` lines
                        "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS", "LS0tLS1CRUdJTiBQVUJMSUMgS0VZ",
                        "LS0tLS1CRUdJTiBSU0EgUFVCTElD", "LS0tLS1CRUdJTiBPUEVOU1NIIFBVQkxJQ",
                        "LS0tLS1CRUdJTiBQR1AgUFVCTElD", "LS0tLS1CRUdJTiBYNTA5IENSTC",
                        "c3NoLXJzYS", "c3NoLWVkMjU1MTk", "ZWNkc2Etc2hhMi",
                        # DER SubjectPublicKeyInfo (a Chrome extension's `"key"`, JWKS `x5c`): RSA 1024,
                        # 2048, 4096, EC P-256, Ed25519
                        "MIGfMA0GCSqGSIb3DQEBAQUAA4GN", "MIIBIjANBgkqhkiG9w0BAQEFAAOC", "MIICIjANBgkqhkiG9w0BAQEFAAOC",
                        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE", "MCowBQYDK2VwAyEA", "age1")
# Subresource integrity and similar: `sha512-<base64>`, `sha256:<hex>`; CSP hash sources
# (`'sha256-<base64>'`) and SRI values carry it inside the value itself.
_HASH_PREFIX = re.compile(r"(?i)(?:sha\d*|md5|blake2?\w?)[-:]\Z")
_HASH_VALUE = re.compile(r"(?i)(?:sha(?:1|224|256|384|512)|md5|blake2?[bs]?(?:-?\d+)?)[-:_]")
# Names of public material: certificates and CAs (`certificate-authority-data`, `ca_bundle`).
_PUBLIC_NAME = re.compile(r"(?i)certificate|(?:^|[_\-.])(?:cert|crt|ca)(?:$|[_\-.]|[A-Z])|ca_?bundle|cabundle|caBundle|authority")
_PRIVATE_WORD = re.compile(r"(?i)key|secret|token|pass|pwd|private")
# Names under which an unquoted, high-entropy value is a key (`aws_session_token = FwoG...`,
# `routing_key: 24e1...`); keys that name rows, cache entries or public halves are not.
_SECRET_NAME = re.compile(r"(?i)key|token|secret|salt|pepper|credential|auth|bearer|cookie|(?:^|[_\-.])pat(?:[_\-.]|\Z)|^encrypt\Z")
_NONSECRET_NAME = re.compile(
    r"(?i)(?:cache|foreign|sort|partition|object|bucket|s3|idempotency|dedup|lookup|public|pub|"
    r"row|group|index|redis|storage|file|map|dict|unique|composite|natural|surrogate|hash|ssh|gpg|pgp|"
    r"next|page|continuation|csrf|xsrf|i18n|translation|label|publishable|site|verification)[_\-.]?(?:key|token)s?\Z|"
    r"publickey|pubkey"
)
# Also other languages' words: `passwort`/`kennwort` (de), `mot_de_passe` (fr), `senha` (pt),
# `wachtwoord` (nl), `haslo` (pl); `contraseña` (es) is matched on its stem.
_FOREIGN_PASSWORD_WORDS = ("passwort", "kennwort", "passe", "senha", "wachtwoord", "haslo", "parola")
_PASSWORD_NAME_WORDS = frozenset({"pass", "password", "passwd", "passphrase", "pwd", "passwords", "pw", "authtok", *_FOREIGN_PASSWORD_WORDS})
_CAMEL_SPLIT = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+|ñ")


def _names_password(name: str) -> bool:
    """`MQTT_PASS`, `dbPassword`, `smtp_auth_password`, `"pass"`, run-together env names
    (`PGPASSWORD`, `DBPASS`, `storepass`); not `bypass`, `passenger`, `compass`, nor a
    password's salt (`nextcloud_passwordsalt`: a key)."""
    if name.lower().endswith("salt"):
        return False
    for word in _CAMEL_SPLIT.findall(name):
        w = word.lower()
        if w in _PASSWORD_NAME_WORDS or w.startswith(("password", "passwd", "contrase", "passwort", "kennwort", "senha",
                                                       "wachtwoord")):  # not `haslocaldir`
            return True
        if w.endswith(("password", "passwd", "passphrase", "pwd", "pw")) or (w.endswith("pass") and not w.endswith(_NOT_PASSWORD_FLAGS)):
            return True
    return "contrase" in name.lower()


_KEYWORDISH = ("key", "pwd", "pw", "pass", "token")
# A literal each plugin's regexes cannot match without (w: the window, lw: lowered), so that a
# window meets only the few plugins that could fire there. A plugin missing here (a newer
# detect-secrets) always runs: slower, never blind.
_GATES = {
    "ArtifactoryDetector": lambda w, lw: "AKC" in w or "AP" in w,
    "AWSKeyDetector": lambda w, lw: "aws" in lw or any(p in w for p in ("AKIA", "ASIA", "ABIA", "ACCA", "A3T")),
    "AzureStorageKeyDetector": lambda w, lw: "AccountKey=" in w,
    "CloudantDetector": lambda w, lw: "cloudant" in lw or ("cl" in lw and any(k in lw for k in _KEYWORDISH)),
    "DiscordBotTokenDetector": lambda w, lw: "." in w,
    "GitHubTokenDetector": lambda w, lw: any(p in w for p in ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    "GitLabTokenDetector": lambda w, lw: "gl" in w or "GR1348941" in w,
    "IbmCloudIamDetector": lambda w, lw: any(k in lw for k in _KEYWORDISH),
    "IbmCosHmacDetector": lambda w, lw: "key" in lw,
    "JwtTokenDetector": lambda w, lw: "eyJ" in w,
    "MailchimpDetector": lambda w, lw: "-us" in w,
    "NpmDetector": lambda w, lw: "_authToken" in w,
    "OpenAIDetector": lambda w, lw: "T3BlbkFJ" in w,
    "PypiTokenDetector": lambda w, lw: "pypi-" in w,
    "SendGridDetector": lambda w, lw: "SG." in w,
    "SlackDetector": lambda w, lw: "xox" in lw or "hooks.slack.com" in w,
    "SoftlayerDetector": lambda w, lw: "softlayer" in lw or ("sl" in lw and any(k in lw for k in _KEYWORDISH)),
    "SquareOAuthDetector": lambda w, lw: "sq0csp-" in w,
    "StripeDetector": lambda w, lw: "k_live_" in w,
    "TelegramBotTokenDetector": lambda w, lw: ":" in w,
    "TwilioKeyDetector": lambda w, lw: "AC" in w or "SK" in w,
}


def _always(w: str, lw: str) -> bool:
    return True


@lru_cache(maxsize=1)
def provider_plugins() -> list[tuple[str, object, tuple[re.Pattern, ...]]]:
    """(name, gate, regexes) for every detect-secrets plugin that recognises a key format."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    out = []
    for cls in get_mapping_from_secret_type_to_class().values():
        if issubclass(cls, RegexBasedDetector) and cls.__name__ not in _OWN_RULES:
            out.append((cls.__name__, _GATES.get(cls.__name__, _always), tuple(cls.denylist)))
    return sorted(out, key=lambda p: p[0])


# detect-secrets' BasicAuthDetector follows RFC 3986 and stops at `$`, `!`, `&`... in the
# password; code in the wild does not percent-encode, so the password runs to the `@`. The user
# may be empty (`redis://:pw@host`).
_URL_CREDENTIALS = re.compile(r"[A-Za-z][\w+.\-]*://[^\s:@/'\"`]*:([^\s@/'\"`]+)@[\w\[]")
# Credentials of a URL without its scheme: `"mmuser:pw@db.internal:5432/mm"` (Helm values),
# Go's `user:pw@tcp(host:3306)/db`, `-dburl user:pw@host/db`. Without a port, path or call after
# the host this reads as `name:local@domain` (`Contact:jo@corp.com`) or a font spec
# (`Inter:wght@400`), so then the password must hold a character no mailbox has, or the host no
# dot and the password more than letters.
_BARE_CREDENTIALS = re.compile(
    r"(?<![\w.+\-/:@%])([A-Za-z_][\w.+\-]{0,63}):([^\s@/'\"`:]{1,128})@"
    r"([A-Za-z0-9](?:[\w\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[\w\-]*[A-Za-z0-9])?)*)"
    r"(?=((?::\d{2,5})?[/?(]|:\d{2,5}(?![\w.]))?)"
)
# A Redis URL's password as a query parameter (Predis, phpredis, go-redis): `tcp://h:6379?auth=pw`.
# Keys in a URL's query: `?appid=<hex>` (OpenWeather), `&access_token=...`, an Azure SAS `&sig=...`.
_QUERY_KEY = re.compile(
    r"(?i)[?&](?:app_?id|api_?key|apikey|key|token|access_?token|auth_?token|private_?token|client_?secret|"
    r"secret|sig|signature)=([A-Za-z0-9%+/_\-.~]{20,}={0,2})(?=[&#'\"\s)`]|\Z)"
)
_QUERY_AUTH = re.compile(r"(?i)[?&]auth=([^\s&#'\"]{1,128})")
_SENTRY_SECRET = re.compile(r"[0-9a-f]{32}")
_SENTRY_PUBLIC = re.compile(r"[/:][0-9a-f]{32}:\Z")
_USERINFO_TAIL = re.compile(rb"[^\s@/'\"`:]{1,128}")
_EMAIL_LOCAL = re.compile(r"[\w.%+\-]+")
_MAIL_USERS = frozenset({"mailto", "email", "mail", "e-mail", "from", "to", "cc", "bcc", "reply-to", "sender", "contact",
                         "author", "maintainer", "owner", "by", "sip", "sips", "xmpp", "im", "tel", "npm", "pkg",
                         "docker", "image", "oci"})
_VERSIONISH = re.compile(r"v?\d+(?:\.\d+)*[\w.\-]*")
# `curl -u user:pass`, `--user "user:pass"`: credentials of a URL given apart from it.
_CLI_CREDENTIALS = re.compile(r"(?:\s-u|--user)[ =]['\"]?[\w.@\\\-]{1,64}:['\"]?([^\s'\"]+)")
# Command lines: `mysql -u root -p'pw'`, `mysqldump -pSecret`, `sshpass -p 'pw'`, `docker login -p
# pw`, `--password 'pw'`. A bare `-p 8080` is a port: unquoted values count only
# after a command known to take a password there (and must not be a plain number).
_CLI_PASSWORDS = (
    re.compile(r"(?<=\s)-p(['\"])([^'\"\s]{1,128})\1"),
    re.compile(r"\b(?:mysql\w*|mariadb\w*)\b[^\n|;&]*?\s-p([^\s'\"\-][^\s'\"]{0,127})"),
    # MongoDB shells and tools take `-p pw`; redis-cli `-a pw`; sqlcmd/bcp `-P pw`.
    re.compile(r"\b(?:mongo|mongosh|mongodump|mongorestore|mongoexport|mongoimport)\b[^\n|;&]*?\s-p[ \t]+(['\"]?)([^\s'\"]{1,128})\1(?=\s|$)"),
    re.compile(r"\bredis-cli\b[^\n|;&]*?\s-a[ \t]+(['\"]?)([^\s'\"]{1,128})\1(?=\s|$)"),
    # A user flag, then a password flag: `twine upload -u ci -p 'pw'`, `sqlplus`-like tools.
    re.compile(r"\s-u[ \t]+['\"]?[\w.@\-]{1,64}['\"]?[ \t]+-p[ \t]+(['\"]?)([^\s'\"\-][^\s'\"]{0,127})\1(?=\s|$)"),
    re.compile(r"\b(?:sqlcmd|bcp|osql)\b[^\n|;&]*?\s-P[ \t]*(['\"]?)([^\s'\"]{1,128})\1(?=\s|$)"),
    re.compile(r"\b(?:sshpass|(?:docker|podman|buildah|skopeo|nerdctl|oras)\s+login|helm\s+registry\s+login)\b"
               r"[^\n|;&]*?\s-p[ \t]+(['\"]?)([^\s'\"]{1,128})\1(?=[\s'\"]|$)"),
    re.compile(r"(?<=\s)--pass(?:word)?[ \t]+(['\"]?)([^\s'\"\-][^\s'\"]{0,127})\1(?=\s|$)"),
    # 7-Zip `-pPW`, PuTTY/plink `-pw PW`.
    re.compile(r"\b7z(?:a|r)?(?:\.exe)?\b[^\n|;&]*?\s-p([^\s'\"\-][^\s'\"]{0,127})"),
    re.compile(r"\b(?:putty|plink|pscp|psftp)(?:\.exe)?\b[^\n|;&]*?\s-pw[ \t]+(['\"]?)([^\s'\"]{1,128})\1(?=\s|$)"),
    # Info-ZIP `zip -P pw` / `unzip -P pw`; Samba's `-U user%pw` (smbclient, rpcclient, net);
    # `rabbitmqctl add_user u pw` / `change_password u pw`.
    re.compile(r"\blftp\b[^\n|;&]*?\s-u[ \t]+(['\"]?)[^\s,'\"]{1,64},([^\s'\"]{1,128})\1(?=\s|$)"),
    re.compile(r"\b(?:un)?zip\b[^\n|;&]*?\s-P[ \t]+(['\"]?)([^\s'\"\-][^\s'\"]{0,127})\1(?=\s|$)"),
    re.compile(r"\s-U[ \t]*(['\"]?)[^\s%'\"]{1,64}%([^\s'\"]{1,128})\1(?=\s|$)"),
    re.compile(r"\brabbitmqctl(?:\.bat)?[ \t]+(?:add_user|change_password)[ \t]+(?:'[^'\s]{1,64}'|\"[^\"\s]{1,64}\"|[^\s'\"]{1,64})"
               r"[ \t]+(['\"]?)([^\s'\"]{1,128})\1(?=\s|$)"),
)
# A password-like name, then a separator, then a value: what detect-secrets' keyword rules miss.
# Anchored where the keyword starts: `MQTT_PASS = "..."`, `"pass": "..."`, escaped quotes inside
# a JSON string (`password=\"...\"` in a notebook), `define('DB_PASSWORD', '...')`,
# `setProperty("mail.smtp.password", "...")` (a `,` counts only after a quoted name).
# An unquoted value may be followed by more of its line: `ansible_password=pw ansible_connection=
# winrm`, libpq's `host=h password=pw dbname=d`, `docker run -e POSTGRES_PASSWORD=pw -p 5432`,
# `mysql --password=pw -e "..."`; never by `(` or `[` (a call, an index: code, not a literal).
# Makefiles assign with `?=` and `::=`.
_PW_ASSIGN = re.compile(
    r"[\w.\-]*(?:(\\?['\"])\]?[ \t]*(?:=>|:=|[=:,])|(?:\]|\[\w{0,8}\])?[ \t]*(?::[ \t]*&?(?:\[\])?(?:const[ \t]+)?[A-Za-z_][\w.]{0,40}(?:\[[\w., |]{0,40}\])?[?!]?(?:[ \t]*\|[ \t]*[A-Za-z_][\w.\[\]]{0,20})?[ \t]*=(?![=>])|"
    r"[ \t]+(?:string|securestring|secureString|str|String)[ \t]*=(?![=>])|=>|:{1,3}=|\?=|<-|[=:]))[ \t]*"
    r"(?:[@bN]?(\"\"\"|\'\'\'|\\?['\"`])((?:\\[^\n]|(?!\2)[^\n\\]){1,256})\2|()([^\s'\"`,;{}()\[\]]{1,128})(?=[ \t]*(?:[\r\n#;,]|\Z)|[ \t]+\S))"
)
_IDENTIFIER_VALUE = re.compile(r"[A-Za-z_][\w\-]*")
# `a, b, password = ...`: the name is one target of several.
_TUPLE_TARGET = re.compile(r"(?:^|[\n;])[ \t]*(?:[\w.\[\]'\"]+[ \t]*,[ \t]*)+[\w.\[\]'\"]*\Z")
_LITERALS_ROW = re.compile(r"[ \t]*=[ \t]*((?:(['\"])[^'\"\n]{0,128}\2[ \t]*,[ \t]*)+(['\"])[^'\"\n]{0,128}\3)")
_ONE_LITERAL = re.compile(r"(['\"])([^'\"\n]{0,128})\1")


def _unpacked_hits(window: str, at: int, base: int) -> Iterator[tuple[str, int, int]]:
    t = _TUPLE_TARGET.search(window, max(0, at - 80), at)
    position = t.group(0).count(",")
    end = at
    while end < len(window) and (window[end].isalnum() or window[end] in "_.]'\""):
        end += 1
    row = _LITERALS_ROW.match(window, end)
    if row:
        literals = list(_ONE_LITERAL.finditer(window, row.start(1), row.end(1)))
        if position < len(literals):
            lit = literals[position]
            if _password_ok(lit.group(2), True):
                yield "password", base + lit.start(2), base + lit.end(2)


_OPERAND_BEFORE = re.compile(r"[+\-*/%][ \t]+\Z")
_OPERATOR_AFTER = re.compile(r"[ \t]*(?:[+*/%|&^]|-[ \t]|\.[A-Za-z_]|\(|\[)")
# A call that derives a key from a password: its literals are the password and the salt, not a
# name and a value (`scrypt('password', 'salt', 64)`).
_KDF_CALL = re.compile(r"(?i)(?:scrypt|pbkdf2\w*|\w*kdf\w*|hash\w*|derive\w*|\w*crypt\w*|digest|hmac\w*)[ \t]*\([ \t]*\\?['\"][\w.\-]*\Z")
# A setter or builder given the password as its one literal argument: `.password("pw")` (Rust
# sqlx, Spring's `User.withUsername(u).password(pw)`), `setPassword("pw")`, `with_password('pw')`.
_PW_CALL = re.compile(r"[\w.\-]*[ \t]*\([ \t]*(['\"`])([^'\"`\n\\]{1,128})\1(?:\.(?:toCharArray|getBytes|toByteArray|encode|to_owned|to_string|into)\(\))?[ \t]*\)")
_QARG = r"""(?:"[^"\n]*"|'[^'\n]*'|[$@]?[\w.:\->\[\]]{1,80})"""
# A password variable with a literal fallback: `$password ?? "pw"`, `password || 'pw'`, `pw or "pw"`.
_PW_TERNARY = re.compile(r"[\w.\-]*['\"]?[ \t]*[:=][ \t]*[\w.!()]{1,60}[ \t]*\?[ \t]*(['\"])([^'\"\n]{1,128})\1[ \t]*:[ \t]*(['\"])([^'\"\n]{1,128})\3")
_PW_FALLBACK = re.compile(r"[\w.\-]*[\])]*[ \t]*(?:\?\?|\|\||\bor\b|\?:)[ \t]*(['\"])([^'\"\n]{1,128})\1")
# A call named for the password with the literal last: `signInWithEmailAndPassword(auth, email, "pw")`,
# `check_password(user, "pw")`.
_PW_LAST_ARG = re.compile(r"\w*[ \t]*\((?:[ \t]*" + _QARG + r"[ \t]*,){1,4}[ \t]*(['\"])([^'\"\n]{1,128})\1[ \t]*\)")
# A password stored hashed from a literal: `'password' => Hash::make('pw')`, `passwordHash: await
# bcrypt.hash("pw", 10)`, `.password(encoder.encode("pw"))`, `password=make_password("pw")`: the
# literal is the password (seeds, fixtures, tests). `password.encode("utf-8")` is not: only an
# encoder's `encode` counts.
_PW_HASHED = re.compile(
    r"[\w.\-]*(?:\\?['\"])?[\])]*[ \t]*(?:=>|:=|[=:(,])[ \t]*(?:await[ \t]+)?"
    r"((?:[A-Za-z_$][\w$]*(?:\.|::|->))*[A-Za-z_][\w]*)[ \t]*\([ \t]*b?(['\"`])([^'\"`\n\\]{1,128})\2[ \t]*[,)]"
)
# Standalone: `bcrypt.hashpw(b"pw", salt)`, `generate_password_hash("pw")`, `password_hash("pw", PASSWORD_DEFAULT)`.
_HASH_CALL = re.compile(
    r"(?<![\w$])((?:[A-Za-z_$][\w$]*(?:\.|::|->))*(?:hashpw|hashSync|bcrypt|password_hash|make_password|"
    r"generate_password_hash|hash_password|hashPassword|encodePassword|encode_password|encryptPassword|"
    r"encrypt_password|bcrypt\.hash(?:Sync)?|argon2\.hash|[A-Za-z]*[Ee]ncoder\.(?:encode|matches)))[ \t]*\([ \t]*b?(['\"`])([^'\"`\n\\]{1,128})\2[ \t]*[,)]"
)
_HASHERS = frozenset({"hash", "hashsync", "hashpw", "bcrypt", "crypt", "encrypt", "password_hash", "make_password",
                      "generate_password_hash", "hash_password", "hashpassword", "encodepassword", "encode_password",
                      "encryptpassword", "encrypt_password", "digest"})


def _hasher(callee: str) -> bool:
    """`bcrypt.hash`, `Hash::make`, `passwordEncoder.encode`, `make_password`: hashes a password."""
    parts = re.split(r"\.|::|->", callee)
    last, low = parts[-1].lower(), callee.lower()
    return last in _HASHERS or (last == "make" and "hash" in low) or (last == "encode" and "encoder" in low)


# Form filling in end-to-end tests: `cy.get('#password').type('pw{enter}')` (Cypress),
# `find_element(By.ID, "password").send_keys("pw")` (Selenium), `fill_in "Password", with: "pw"`
# (Capybara); FactoryBot's `password { "pw" }`; SQL's `PASSWORD 'pw'` (`CREATE ROLE ... LOGIN
# PASSWORD 'pw'`, `OPTIONS (user 'u', password 'pw')`).
_PW_TYPED = re.compile(
    r"[\w\-]*['\"\]]*[ \t]*\)*[ \t]*\.(?:type|fill|sendKeys|send_keys|setValue|set_value|pressSequentially|press_sequentially)"
    r"\([ \t]*(['\"`])([^'\"`{\n\\]{1,128})(?:\{\w+\})?\1"
)
_PW_FILL_IN = re.compile(r"[\w\-]*['\"][ \t]*,[ \t]*with:[ \t]*(['\"])([^'\"\n\\]{1,128})\1")
_PW_BLOCK = re.compile(r"[\w]*[ \t]*\{[ \t]*(['\"])([^'\"\n\\]{1,128})\1[ \t]*\}")
_PW_SPACED = re.compile(r"[\w]*[ \t]+(['\"`])([^'\"`\n\\]{1,128})\1")
# Prose: `The root password on the web boxes is s1erra-Obsidian until ...`, `password: Xy7!k2`
# in a comment. Nothing quotes the value, so it must look like a password by itself.
_PW_PROSE = re.compile(
    r"(?i)pass(?:word|phrase)s?(?:[ \t]+(?!is\b|was\b)[\w\-]+){0,6}?[ \t]*(?:[ \t]is|[ \t]was|:)[ \t]+(`|'|\"|)([^\s`'\"]{6,64}?)\1[.,;)]?(?=[ \t]|\r?\n|\Z)"
)
# A Google app password left unquoted: `spring.mail.password=abcd efgh ijkl mnop`.
_APP_PASSWORD_AT = re.compile(r"[a-z]{4}(?: [a-z]{4}){3}(?=[ \t]*(?:\r?\n|\Z))")
# `htpasswd -b [-c] file user pw`: batch mode takes the password on the command line.
_HTPASSWD = re.compile(r"\bhtpasswd[ \t]+(?:-\w*b\w*[ \t]+)(?:-\w+[ \t]+)*\S+[ \t]+\S+[ \t]+(['\"]?)([^\s'\"]{1,128})\1(?=\s|\Z)")
# Browser automation with a selector naming the field: `page.type('#password', 'pw')`,
# `page.fill("input[name=senha]", "pw")`, `driver.find_element(...).send_keys` is above.
_FILL_SELECTOR_BEFORE = re.compile(r"\.(?:type|fill|sendKeys|send_keys|setValue)\([ \t]*(['\"])[^'\"\n]{0,60}\Z")
_FILL_VALUE_AFTER = re.compile(r"[\w\-\]=]*[^'\"\n]{0,30}?(['\"])[ \t]*,[ \t]*(['\"])([^'\"\n\\]{1,128})\2")
# Redis' `requirepass pw` anywhere on a line (a `sed` that writes redis.conf); JNDI's
# `env.put(Context.SECURITY_CREDENTIALS, "pw")`.
_REQUIREPASS = re.compile(r"\b(?:requirepass|masterauth)(?:[ \t]+|['\"][ \t]*,[ \t]*)(['\"]?)([^\s'\"/]{4,128})\1")
_JNDI_CREDENTIALS = re.compile(r"SECURITY_CREDENTIALS['\"]?[ \t]*,[ \t]*(['\"])([^'\"\n]{1,128})\1")
# `openssl ... -passout pass:pw`, `-passin pass:pw`.
_OPENSSL_PASS = re.compile(r"-pass(?:out|in)[ \t]+pass:([^\s'\"<]{1,128})")
# Keychain / UserDefaults: the value first, its name after: `set("pw", forKey: "password")`.
_FOR_KEY = re.compile(r"\([ \t]*(['\"])([^'\"\n\\]{1,128})\1[ \t]*,[ \t]*forKey:[ \t]*['\"][\w.\-]*\Z")
_GETTER_WORDS = frozenset({"get", "read", "load", "fetch", "prompt", "ask", "lookup", "find", "retrieve", "request",
                           "input", "getpass", "resolve", "query", "decrypt", "env", "getenv", "environ", "vault"})
# XML: `<password>pw</password>` (Maven settings.xml), `<db.password>pw</db.password>`, and
# name/value attribute pairs: `<add key="SmtpPassword" value="pw" />` (.NET appSettings),
# `<property name="password" value="pw"/>` (Spring, Hibernate), `<param name="password" value=...`.
_XML_ELEMENT = re.compile(r"[\w.\-:]*>[ \t]*([^<>\s][^<>\n]{0,127}?)[ \t]*</([\w.\-:]+)>")
_XML_NAME_VALUE = re.compile(
    r"[\w.\-:]*(['\"])[ \t]+(?:[\w\-:]+=(['\"])[^'\"\n]*\2[ \t]+){0,3}value[ \t]*=[ \t]*(['\"])([^'\"\n]{1,128})\3"
)
_NOT_PASSWORD_FLAGS = ("bypass", "compass", "surpass", "trespass", "overpass", "underpass", "multipass", "onepass")
# `<entry key="password">pw</entry>` (Java properties XML), `<param name="password">pw</param>`.
_XML_NAMED_ELEMENT = re.compile(r"[\w.\-:]*(['\"])[ \t]*>[ \t]*([^<>\s][^<>\n]{0,127}?)[ \t]*</[\w.\-:]+>")
_XML_TAG = re.compile(r"[A-Za-z_][\w.\-:]*")
_XML_NAME_ATTR = re.compile(r"(?i)(?:key|name|id)[ \t]*=[ \t]*(['\"])[\w.\-:]*\Z")
# Flags: `--password pw`, `--db-password 'pw'`, `-Dspring.datasource.password=pw` (`=` forms are
# assignments above).
_FLAG_PASSWORD = re.compile(
    r"(?<![\w\-])--?((?:[A-Za-z0-9]+[\-_.])*[A-Za-z0-9]*(?:[Pp]ass(?:word|wd|phrase)?|[Pp]wd))[ \t]+(['\"]?)([^\s'\"\-][^\s'\"]{0,127})\2(?=\s|\Z|[;|&)])"
)
# Network devices (Cisco IOS/NX-OS, Arista): `username u privilege 15 password 0 pw`, `enable
# password pw`, `secret 0 pw`, `tacacs-server key 7 0822...`. Type 0 is plain text, 7 reversible;
# 5/8/9 are hashes (`secret 9 $9$...`) and do not match: the value must end the line.
_DEVICE_PASSWORD = re.compile(
    r"(?i)(?<![^ \t\n])(?:(?:insecure-)?password(?:[ \t]+[07])?|(?:secret|key)[ \t]+[07])[ \t]+([^\s'\"]{1,128})[ \t\r]*(?=\n|\Z)"
)
_DEVICE_LINE = re.compile(r"[ \t]*(?:[\w.\-/]+[ \t]+){0,8}\Z")
# ADO.NET / ODBC / JDBC connection strings: `...;User ID=u;Password=pw;Encrypt=True`.
_CONN_STRING = re.compile(
    r"(?i)(?<![\w.\-])(?:password|pwd)[ \t]*=[ \t]*\{?([^;'\"\s{}]{1,128})\}?"
    r"(?=;[ \t]*[A-Za-z][\w \t]*=|;?[ \t]*(?:['\"]|\Z))"
)
_CALL_BEFORE_NAME = re.compile(r"\([ \t]*\\?['\"][\w.\-]*\Z")
_CONN_STRING_BEFORE = re.compile(r";[ \t]*\Z")
# SQL: `CREATE USER x IDENTIFIED BY 'pw'`, `IDENTIFIED WITH mysql_native_password BY 'pw'`.
_SQL_IDENTIFIED = re.compile(
    r"(?i)identified[ \t]+(?:with[ \t]+\w+[ \t]+)?by[ \t]+(?:(['\"])([^'\"\n]{1,128})\1|()([^\s'\";]{1,128})(?=[ \t]*(?:;|\Z)))"
)
_SQL_STATEMENT = re.compile(r"(?i)\b(?:create|alter)[ \t]+(?:user|role|login)\b|\bgrant\b")
# .netrc: `password VALUE` alone on its line, or after `machine h login u`.
_NETRC = re.compile(
    r"(?i)[ \t]*(?:machine[ \t]+\S+[ \t]+|default[ \t]+)?(?:login[ \t]+\S+[ \t]+)?password[ \t]+(\S{1,128})[ \t\r]*(?:\Z|[ \t]machine\b)"
)
# `define( 'DB_PASSWORD', '...' )` (PHP), `#define WIFI_PASSWORD "..."` (C): the name decides.
_DEFINES = (
    re.compile(r"define[ \t]*\([ \t]*(['\"])([\w.\-]+)\1[ \t]*,[ \t]*(['\"])([^\n]{1,256}?)\3[ \t]*\)"),
    re.compile(r"#[ \t]*define[ \t]+()(\w+)[ \t]+(\"|')([^\n\"']{1,256})\3"),
)
# Positional credentials of well-known APIs: (regex, how many arguments come before the password).
_ARG = r"""(?:"[^"\n]*"|'[^'\n]*'|[^,()'"\n]*(?:\([^()\n]*\))?[^,()'"\n]*)"""
_SEP = r"\s{0,40},\s{0,40}"  # across lines: `DBI->connect($dsn,\n    "user", "pw", {...})`
_POSITIONAL = [
    re.compile(
        r"(?:\bauth[ \t]*=[ \t]*|(?:basic_?auth|digest_?auth|BasicAuth|DigestAuth|PasswordAuthentication|"
        r"NetworkCredential|UsernamePasswordCredentials|PasswordCredential|\.login|->login|username_pw_set)[ \t]*)"
        r"\([ \t]*" + _ARG + r"[ \t]*,[ \t]*(?:Some\([ \t]*)?(['\"])((?:\\[^\n]|(?!\1)[^'\"\n\\]|(?!\1)['\"]){1,128})\1[ \t]*(?=[),.])"
    ),
    re.compile(
        r"(?i)(?:\bnew[ \t]+\\?PDO|\bmysqli|\bmysqli?_(?:real_)?connect|MySQLdb\.connect|pymysql\.connect)[ \t]*"
        r"\(\s{0,40}" + _ARG + _SEP + _ARG + _SEP + r"(['\"])([^'\"\n]{1,128})\1\s{0,40}(?=[),])"
    ),
    # Perl DBI, JDBC, pymssql: (dsn or url, user, password, ...).
    re.compile(
        r"(?:\bDBI->connect(?:_cached)?|DriverManager\.getConnection|\bpymssql\.connect)[ \t]*\(\s{0,40}"
        + _QARG + _SEP + _QARG + _SEP + r"(['\"])([^'\"\n]{1,128})\1\s{0,40}(?=[),])"
    ),
    # cx_Oracle / oracledb: (user, password, dsn); LWP: ->credentials(netloc, realm, user, password).
    re.compile(r"\b(?:cx_Oracle|oracledb)\.connect[ \t]*\(\s{0,40}" + _QARG + _SEP + r"(['\"])([^'\"\n]{1,128})\1\s{0,40}(?=[),])"),
    re.compile(
        r"->credentials[ \t]*\(\s{0,40}" + _QARG + _SEP + _QARG + _SEP + _QARG + _SEP
        + r"(['\"])([^'\"\n]{1,128})\1\s{0,40}(?=[),])"
    ),
    # Ruby Net::SMTP.start(address, port, helo, user, secret, authtype); smtp.start(helo, user, secret).
    re.compile(
        r"\bSMTP\.start[ \t]*\(\s{0,40}" + _QARG + _SEP + _QARG + _SEP + _QARG + _SEP + _QARG + _SEP
        + r"(['\"])([^'\"\n]{1,128})\1\s{0,40}(?=[),])"
    ),
    re.compile(r"(?<![\w:])smtp\.start[ \t]*\(\s{0,40}" + _QARG + _SEP + _QARG + _SEP + r"(['\"])([^'\"\n]{1,128})\1\s{0,40}(?=[),])"),
    # PowerShell: `ConvertTo-SecureString "pw" -AsPlainText -Force`; Windows `net use \\\\srv\\share
    # /user:DOM\\u pw` (or the password before `/user:`).
    re.compile(
        r"(?i)ConvertTo-SecureString(?:[ \t]+-(?:AsPlainText|Force)\b)*[ \t]+(?:-String[ \t]+)?(['\"])([^'\"\n]{1,128})\1"
    ),
    re.compile(
        r"(?i)\bnet[ \t]+use(?:[ \t]+(?:[A-Z]:|\*))?[ \t]+(?:\\\\\S+|\$\w+|\"[^\"\n]{1,128}\")[ \t]+"
        r"(?:/u(?:ser)?:\S+[ \t]+(['\"]?)(?![/*])([^\s'\"]{1,128})\1|()(?![/*])([^\s'\"]{1,128})[ \t]+/u(?:ser)?:)"
    ),
    # Windows `net user deploy pw /add` (`*` prompts for it).
    re.compile(
        r"(?i)\bnet[ \t]+user[ \t]+(?:\"[^\"\n]{1,64}\"|[^\s/\"]{1,64})[ \t]+(['\"]?)(?![/*])([^\s'\"/][^\s'\"]{0,127})\1"
        r"(?=[ \t]+/|[ \t]*(?:\r?\n|\Z))"
    ),
    # `ftplib.FTP(host, "user", "pw")`, PHP's `ldap_bind($ds, "cn=...", "pw")`, `ldap3.Connection(server, "cn=...", "pw")`.
    re.compile(
        r"(?:\bFTP(?:_TLS)?|\bldap_bind|\bldap3\.Connection)[ \t]*\(\s{0,40}" + _QARG + _SEP + r"(?:\"[^\"\n]*\"|'[^'\n]*'|" + _QARG
        + r")" + _SEP + r"(['\"])([^'\"\n]{1,128})\1\s{0,40}(?=[),])"
    ),
    # Redis AUTH from a client: `red:auth("pw")` (Lua), `jedis.auth("pw")`, `client.auth("pw")`.
    re.compile(r"[.:]auth[ \t]*\([ \t]*(['\"])([^'\"\n]{1,128})\1[ \t]*\)"),
]
# Provider formats detect-secrets does not know (or knows only in part): (gate, regex).
# Gates that need a look at the window, not one literal: Mailgun's newer keys (hex, `-`, hex),
# Ably keys (`app.key:secret`).
_MAILGUN_GATE = re.compile(r"-[0-9a-f]{8}-[0-9a-f]{8}\b")  # led by a literal: sre searches it fast
_ABLY_GATE = re.compile(r"\.[A-Za-z0-9_\-]{6}:[A-Za-z0-9_\-]{30}")
_OWN_PROVIDERS = (
    ("k_", re.compile(r"(?<![\w-])[rs]k_(?:live|test)_[0-9A-Za-z]{24,247}(?![\w-])")),
    ("whsec_", re.compile(r"(?<![\w-])whsec_[0-9A-Za-z+/]{24,}(?![\w-])")),
    ("github_pat_", re.compile(r"(?<![\w-])github_pat_[0-9A-Za-z_]{60,120}(?![\w-])")),
    ("npm_", re.compile(r"(?<![\w-])npm_[0-9A-Za-z]{36}(?![\w-])")),
    ("AIza", re.compile(r"(?<![\w-])AIza[0-9A-Za-z_\-]{35}(?![\w-])")),
    ("hf_", re.compile(r"(?<![\w-])hf_[A-Za-z0-9]{34}(?![\w-])")),
    ("sk-", re.compile(r"(?<![\w-])sk-(?:proj|svcacct|admin|ant-api\d\d|ant-admin\d\d)-[0-9A-Za-z_\-]{20,200}(?![\w-])")),
    ("shp", re.compile(r"(?<![\w-])shp(?:at|ca|pa|ss)_[0-9a-fA-F]{32}(?![\w-])")),
    ("_v1_", re.compile(r"(?<![\w-])do[opr]_v1_[0-9a-f]{64}(?![\w-])")),
    ("PMAK-", re.compile(r"(?<![\w-])PMAK-[0-9a-f]{24}-[0-9a-f]{34}(?![\w-])")),
    ("xapp-", re.compile(r"(?<![\w-])xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+(?![\w-])")),
    (("squ_", "sqa_", "sqp_"), re.compile(r"(?<![\w-])sq[uap]_[0-9a-f]{40}(?![\w-])")),
    ("dapi", re.compile(r"(?<![\w-])dapi[0-9a-f]{32}(?![\w-])")),
    ("lin_api_", re.compile(r"(?<![\w-])lin_api_[0-9A-Za-z]{40}(?![\w-])")),
    ("AGE-SECRET-KEY-", re.compile(r"AGE-SECRET-KEY-1[0-9A-Z]{58}")),
    # Firebase Cloud Messaging legacy server keys; New Relic license (`...NRAL`) and user/insights
    # keys; Heroku's `HRKU-` tokens; Discord webhook tokens (the secret is the path after the id);
    # Algolia's admin key, given to its client by position (group 1 is then the key).
    ("APA91b", re.compile(r"(?<![\w-])AAAA[A-Za-z0-9_\-]{7}:APA91b[A-Za-z0-9_\-]{100,}(?![\w-])")),
    ("NRAL", re.compile(r"(?<![\w-])[0-9a-f]{36}NRAL(?![\w-])")),
    (("NRAK-", "NRII-", "NRJS-", "NRRA-", "NRSP-"), re.compile(r"(?<![\w-])NR(?:AK|II|JS|RA|SP)-[A-Za-z0-9_\-]{19,40}(?![\w-])")),
    ("HRKU-", re.compile(r"(?<![\w-])HRKU-[A-Za-z0-9_\-]{20,}(?![\w-])")),
    ("/webhooks/", re.compile(r"discord(?:app)?\.com/api/webhooks/\d{15,21}/([A-Za-z0-9_\-]{60,100})(?![\w-])")),
    ("lgolia", re.compile(r"(?i:algoliasearch)[ \t]*\([ \t]*(['\"])[A-Z0-9]{10}\1[ \t]*,[ \t]*['\"]([0-9a-f]{32})['\"]")),
    # Resend API keys; HashiCorp Vault service/batch/recovery tokens; Terraform Cloud user and team
    # tokens; Pulumi access tokens; a Twilio API key's secret, given after its `SK...` id.
    ("re_", re.compile(r"(?<![\w-])re_[A-Za-z0-9]{8,10}_[A-Za-z0-9]{20,32}(?![\w-])")),
    (("hvs.", "hvb.", "hvr."), re.compile(r"(?<![\w.-])hv[sbr]\.[A-Za-z0-9_\-]{24,}(?![\w-])")),
    (".atlasv1.", re.compile(r"(?<![\w-])[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_\-=]{60,90}(?![\w-])")),
    ("pul-", re.compile(r"(?<![\w-])pul-[0-9a-f]{40}(?![\w-])")),
    (("'SK", '"SK'), re.compile(r"(['\"])SK[0-9a-fA-F]{32}\1[ \t]*,[ \t]*(['\"])([A-Za-z0-9]{32})\2")),
    # Mailgun's `key-<hex>`; Sentry user/org auth tokens; Braintree access tokens. (A modern Sentry
    # DSN holds only the project's public key: not a secret.)
    ("key-", re.compile(r"(?<![\w-])key-[0-9a-f]{32}(?![\w-])")),
    ("sntry", re.compile(r"(?<![\w-])sntry[us]_[A-Za-z0-9+/=_]{40,}(?![\w-])")),
    # Grafana Cloud, Docker Hub PATs, Bitbucket app tokens, NuGet API keys, Azure AD client secrets.
    # RevenueCat SDK keys; OneSignal REST keys; Telegram payment provider tokens; WooCommerce
    # consumer key/secret; Doppler tokens; Mailgun's newer keys (hex-hex-hex).
    (("appl_", "goog_", "amzn_", "strp_"), re.compile(r"(?<![\w-])(?:appl|goog|amzn|strp)_[A-Za-z0-9]{24,32}(?![\w-])")),
    ("os_v2_", re.compile(r"(?<![\w-])os_v2_(?:app|org)_[a-z0-9]{50,}(?![\w-])")),
    (":LIVE:", re.compile(r"(?<![\w-])\d{8,10}:LIVE:[A-Za-z0-9_\-]{16,}(?![\w-])")),
    (("ck_", "cs_"), re.compile(r"(?<![\w-])c[ks]_[0-9a-f]{40}(?![\w-])")),
    ("dp.", re.compile(r"(?<![\w.-])dp\.(?:st|ct|sa|scim|audit|pt)\.(?:[a-z0-9_\-]{1,40}\.)?[A-Za-z0-9]{40,}(?![\w-])")),
    (_MAILGUN_GATE, re.compile(r"(?<![\w-])[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}(?![\w-])")),
    # Buildkite, Supabase, LaunchDarkly, Ably, Airtable, Asana, Razorpay, Twitter app bearer tokens,
    # Facebook/Meta page tokens, Dropbox short-lived tokens, Atlassian API tokens.
    ("bkua_", re.compile(r"(?<![\w-])bkua_[0-9a-f]{40}(?![\w-])")),
    ("sbp_", re.compile(r"(?<![\w-])sbp_[0-9a-f]{40}(?![\w-])")),
    (("api-", "sdk-", "mob-"), re.compile(r"(?<![\w-])(?:api|sdk|mob)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![\w-])")),
    (_ABLY_GATE, re.compile(r"(?<![\w.-])[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{6}:[A-Za-z0-9_\-]{30,60}(?![\w-])")),
    (re.compile(r"pat[A-Za-z0-9]{14}\."), re.compile(r"(?<![\w-])pat[A-Za-z0-9]{14}\.[0-9a-f]{64}(?![\w-])")),
    (("0/", "1/", "2/"), re.compile(r"(?<![\w/-])[012]/\d{13,16}/\d{13,16}:[0-9a-f]{32}(?![\w-])")),
    (("xsmtpsib-", "xkeysib-"), re.compile(r"(?<![\w-])x(?:smtpsib|keysib)-[0-9a-f]{64}-[A-Za-z0-9]{16}(?![\w-])")),
    ("infura.io/v3/", re.compile(r"infura\.io/v3/([0-9a-f]{32})(?![\w-])")),
    ("pat-", re.compile(r"(?<![\w-])pat-(?:na|eu|ap)\d-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![\w-])")),
    ("rzp_", re.compile(r"(?<![\w-])rzp_(?:live|test)_[A-Za-z0-9]{14}(?![\w-])")),
    ("AAAAAAAAAAAAAAAAAAAAA", re.compile(r"(?<![\w%+/=-])A{20,}(?=[A-Za-z0-9%]*%[0-9A-F]{2})[A-Za-z0-9%]{40,}(?![\w%+/=-])")),
    ("EAAA", re.compile(r"(?<![\w-])EAAA[A-Za-z0-9_\-]{60}(?![\w-])")),
    ("EAA", re.compile(r"(?<![\w-])EAA[A-Za-z0-9]{90,}(?![\w-])")),
    ("sl.", re.compile(r"(?<![\w.-])sl\.[A-Za-z0-9_\-]{100,}(?![\w-])")),
    (("ATATT", "ATCTT"), re.compile(r"(?<![\w-])AT[AC]TT3x[A-Za-z0-9_\-=]{100,}(?![\w-])")),
    ("GOCSPX-", re.compile(r"(?<![\w-])GOCSPX-[A-Za-z0-9_\-]{28}(?![\w-])")),
    (":_auth", re.compile(r":_auth[ \t]*=[ \t]*['\"]?([A-Za-z0-9+/]{8,}={0,2})")),  # .npmrc: base64 of user:password
    ("glc_", re.compile(r"(?<![\w-])glc_[A-Za-z0-9+/=_]{32,}")),
    ("dckr_pat_", re.compile(r"(?<![\w-])dckr_pat_[A-Za-z0-9_\-]{20,}(?![\w-])")),
    ("ATBB", re.compile(r"(?<![\w-])ATBB[A-Za-z0-9_=\-.]{28,}(?![\w-])")),
    ("oy2", re.compile(r"(?<![\w-])oy2[a-z0-9]{43}(?![\w-])")),
    ("Q~", re.compile(r"(?<![\w~.-])[A-Za-z0-9_\-]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}(?![\w~.-])")),
    ("access_token$", re.compile(r"(?<![\w-])access_token\$(?:production|sandbox|development)\$[0-9a-z]{16}\$[0-9a-f]{32}(?![\w-])")),
    ("SearchClient", re.compile(r"SearchClient(?:\.|::|\.create\(|::create\()?[ \t]*\(?[ \t]*(['\"])[A-Z0-9]{10}\1[ \t]*,[ \t]*['\"]([0-9a-f]{32})['\"]")),
)
# The providers by how their gate is checked: a literal (one `in` per window; a tuple of them
# becomes one entry each) or a regex.
_PROVIDERS_BY_LITERAL = tuple(
    (g, regex) for gate, regex in _OWN_PROVIDERS if not isinstance(gate, re.Pattern)
    for g in ((gate,) if isinstance(gate, str) else gate)
)
_PROVIDERS_BY_REGEX = tuple((gate, regex) for gate, regex in _OWN_PROVIDERS if isinstance(gate, re.Pattern))
_BASE64_PREFIXED = re.compile(r"(?<![\w/+])base64:([A-Za-z0-9+/]{20,}={0,2})(?![\w/+=])")
# An HTTP credential after its scheme: `Authorization = "Bearer <tok>"`, `-H "Authorization: token
# <tok>"`, `Basic <base64>`.
_BEARER = re.compile(r"(?<![\w\-])([Bb]earer|BEARER|[Tt]oken|Basic)[ \t]+([A-Za-z0-9\-._~+/]{16,}={0,2})(?![\w\-.~+/=])")
_BASIC_DECODED = re.compile(rb"[\x21-\x7e]{1,128}:[\x21-\x7e]{1,128}")
# Unquoted values after `=`/`:` in a token window; the name before them decides.
# The value may close the string it sits in: `"...;SharedAccessKey=<b64>="`, `-H "X-Api-Key: <hex>"`.
_UNQUOTED_TOKEN = re.compile(r"[:=][ \t]*([A-Za-z0-9+/_\-.~]{16,}={0,2})(?=[ \t]*(?:[\r\n,;#'\"\\]|\Z))")
# detect-secrets' keyword rules want the value to start with a word character; generated
# secrets (Django's SECRET_KEY) often start with a symbol.
_SYMBOL_FIRST = re.compile(
    r"(?i)(pass(?:word|wd)?|pwd|secret|api_?key|auth_?key|private_?key)\w*['\"\]]{0,2}[ \t]*"
    r"(?:=|:|=>|:=)[ \t]*(['\"`])([^\w\s'\"`][^\s'\"`]{3,255})\2"
)
_KEYWORD_REGEXES = [
    *ds_keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP.items(),
    # Config files (.env, .ini, YAML) leave values unquoted.
    (ds_keyword.FOLLOWED_BY_COLON_REGEX, 4),
    (ds_keyword.FOLLOWED_BY_EQUAL_SIGNS_REGEX, 5),
    (_SYMBOL_FIRST, 3),
]
# The keywords the rules above start with (detect-secrets' denylist, then _SYMBOL_FIRST's).
_KEYWORD_HEAD = re.compile(
    rb"(?:api|auth|service|account|db|database|priv|private|client)_?key|(?:db|database|key)_?pass|pass|pwd|secret|contrase"
)
_BASE64 = Base64HighEntropyString()
_HEX = HexHighEntropyString()


def _spots(text: str, view: bytes, lowered: bytes | None = None) -> list[tuple[int, int, int]]:
    """(start, end, flag) of every trigger in the text."""
    spots = []
    classes = view.translate(_CLASS_VIEW)  # letter-digit pairs become `a0`/`0a`: bounded finds, no regex
    for table, run in ((_TOKEN_VIEW, _RUN16), (_URLSAFE_VIEW, _RUN24)):
        runs = view.translate(table)
        s = runs.find(run)
        while s != -1:
            e = runs.find(b" ", s + len(run))
            e = len(runs) if e == -1 else e
            if classes.find(b"a0", s, e) != -1 or classes.find(b"0a", s, e) != -1:
                spots.append((s, e, TOKEN))
            s = runs.find(run, e)
    for prefix in _AWS_ID_PREFIXES:
        at = view.find(prefix)
        while at != -1:
            if _AWS_ID_BODY.match(view, at + 4):
                spots.append((at, at + 20, TOKEN))
            at = view.find(prefix, at + 4)
    for prefix in _TOKEN_PREFIXES:
        for m in prefix.finditer(view):
            body = _PREFIX_BODY.match(view, m.end())
            if body:
                spots.append((m.start(), body.end(), TOKEN))
    lowered = lowered if lowered is not None else view.lower()
    for m in _CALL_SPOT.finditer(lowered):
        at = m.start()
        flag = DEFINE if _DEFINE_SPOT.search(lowered, max(0, at - 12), at + 1) else CALL
        spots.append((at, at + 1, flag))
    for m in _DASH_P_SPOT.finditer(lowered):
        if _DASH_P_FOLLOWS.match(lowered, m.end()):
            spots.append((m.start(), m.end(), URL))
    for m in _HASH_SPOT.finditer(lowered):  # `bcrypt.hashpw(b"pw", ...)`: a password hashed from a literal
        spots.append((m.start(), m.end(), KEYWORD))
    for literal in (b"convertto-securestring", b"net use ", b"net user "):
        at = lowered.find(literal)
        while at != -1:
            spots.append((at, at + len(literal), CALL))
            at = lowered.find(literal, at + len(literal))
    at = lowered.find(b"encoder.")  # `passwordEncoder.encode("pw")`: a password hashed from a literal
    while at != -1:
        spots.append((at, at + 8, KEYWORD))
        at = lowered.find(b"encoder.", at + 8)
    at = lowered.find(b"identified")
    while at != -1:
        if _IDENTIFIED_FOLLOWS.match(lowered, at + 10):
            spots.append((at, at + 10, KEYWORD))
        at = lowered.find(b"identified", at + 10)
    for literal in _KEYWORD_LITERALS:
        if literal == b"pw":
            for m in _PW_SPOT.finditer(lowered):
                at = m.start()
                nxt = lowered[at + 2:at + 3]
                if nxt == b"d" or (
                    (_PW_BEFORE_OK.search(lowered, max(0, at - 7), at) is not None or view[at:at + 2] == b"Pw")
                    and (nxt not in b" \t" or _first_token(lowered, at) or _PW_ASSIGN_AHEAD.match(lowered, at + 2) is not None)
                ):
                    spots.append((at, at + 2, KEYWORD))
            continue
        at = lowered.find(literal)
        while at != -1:
            if literal == b"pass":
                ok = _PASS_CONTINUES.match(lowered, at + 4) is not None or lowered.startswith(b"require", max(0, at - 7)) or (
                    lowered.rfind(b"-", max(0, at - 24), at) != -1  # `-storepass pw`
                    and _FLAG_BEFORE.search(lowered, max(0, at - 24), at) is not None
                ) or (_SPACE_VALUE.match(lowered, at + 4) is not None and _first_token(lowered, at))  # `requirepass pw`
                if lowered.startswith((b"wordauthentication", b"wordcredential"), at + 4):
                    spots.append((at, at + 4, CALL))  # PasswordAuthentication(u, "pw")
                if lowered.startswith(b"pg", max(0, at - 2)):
                    spots.append((at, at + 4, PGPASS))  # `~/.pgpass`: look for its lines
            elif literal == b"key":
                ok = _KEY_PREFIX.search(lowered, max(0, at - 9), at) is not None or (
                    _DEVICE_KEY_FOLLOWS.match(lowered, at + 3) is not None  # `tacacs-server key 0 pw`
                )
            else:
                ok = True
            if ok:
                spots.append((at, at + len(literal), KEYWORD))
            at = lowered.find(literal, at + len(literal))
    # Config directives without a password word: redis' `masterauth pw`, haproxy's `stats auth u:pw`.
    at = lowered.find(b"auth ")
    while at != -1:
        if lowered.startswith((b"master", b"stats "), at - 6) and _first_token(lowered, at - 6):
            spots.append((at - 6, at + 4, KEYWORD))
        at = lowered.find(b"auth ", at + 5)
    at = view.find(b"://")
    while at != -1:
        # Credentials sit between `://` and an `@` on the same line; a plain link has none.
        if b"@" in view[at:at + 256].split(b"\n", 1)[0]:
            spots.append((at, at + 3, URL))
        at = view.find(b"://", at + 3)
    at = view.find(b"@")
    while at != -1:
        # `user:pw@host` without a scheme: a `:` before the `@` with no break between.
        colon = view.rfind(b":", max(0, at - 129), at)
        if colon != -1 and _USERINFO_TAIL.fullmatch(view, colon + 1, at):
            spots.append((colon, at + 1, URL))
        at = view.find(b"@", at + 1)
    # An Azure SAS `&sig=v%2BbY...%3D`, `redis://h:6379?auth=pw` (literal finds: a regex led by a
    # character class, `[?&](sig|auth)=`, runs ten times slower in sre).
    for literal, flag in ((b"sig=", QUERY), (b"auth=", URL)):
        at = lowered.find(literal)
        while at != -1:
            if at and lowered[at - 1] in b"?&":
                spots.append((at - 1, at + len(literal), flag))
            at = lowered.find(literal, at + len(literal))
    for literal in (b" -u ", b"--user", b"rabbitmqctl"):
        at = lowered.find(literal)
        while at != -1:
            # `-U user%pw` (Samba); not `pip install -U pkg`
            if view[at + 1:at + 2] != b"U" or b"%" in view[at:at + 80]:
                spots.append((at, at + len(literal), URL))
            at = lowered.find(literal, at + len(literal))
    return sorted(spots)


def _first_token(lowered: bytes, at: int) -> bool:
    """The keyword at `at` is part of the first word of its line (a config directive)."""
    ls = lowered.rfind(b"\n", max(0, at - 64), at)
    if ls == -1 and at > 64:
        return False
    return _LEAD.fullmatch(lowered, ls + 1, at) is not None


def candidate_windows(text: str, view: bytes | None = None, lowered: bytes | None = None) -> list[tuple[int, int, int]]:
    """(start, end, flags): bounded spans of `text` worth handing to the plugins, each within
    one line, merged while they overlap and stay under MAX_WINDOW."""
    view = view if view is not None else text.encode("ascii", "replace")
    windows: list[list[int]] = []
    line_start, line_end = -1, -1
    for s, e, flag in _spots(text, view, lowered):
        if s >= line_end:  # a new line: find its bounds once
            line_start = text.rfind("\n", 0, s) + 1
            line_end = text.find("\n", e)
            line_end = len(text) if line_end == -1 else line_end
        before, after = (TOKEN_BEFORE, TOKEN_AFTER) if flag == TOKEN else (KEYWORD_BEFORE, KEYWORD_AFTER)
        ws, we = max(line_start, s - before), min(line_end, e + after)
        last = windows[-1] if windows else None
        if last and last[0] >= line_start and ws <= last[1] and we - last[0] <= MAX_WINDOW:
            last[1] = max(last[1], we)
            last[2] |= flag
        else:
            windows.append([ws, we, flag])
    return [(s, e, f) for s, e, f in windows]


def _span(m: re.Match) -> tuple[int, int]:
    """The secret inside a match: its longest group when that holds the key (AWS, IBM, npm),
    else the match without delimiters (GitLab and GitHub groups only name the prefix)."""
    groups = [g for g in range(1, (m.re.groups or 0) + 1) if m.group(g)]
    if groups:
        g = max(groups, key=lambda g: len(m.group(g)))
        if len(m.group(g)) >= 16:
            return m.span(g)
    s, e = m.span()
    text = m.string
    while s < e and text[s] in " \t\"'=:`,":
        s += 1
    while e > s and text[e - 1] in " \t\"'`,;\r":
        e -= 1
    # `AccountKey=...`, `_authToken=...`: the name is context, the value is the key.
    head = re.match(r"[A-Za-z_]\w*=", text[s:e])
    if head and e - s - head.end() >= 16:
        s += head.end()
    return s, e


# `"%s"`, `"key-%s"`, `"%(password)s"`: a format slot; `...%3&e0%s1z` (a generated Django key) is not.
_PRINTF_SLOT = re.compile(r"%(?:s(?![A-Za-z0-9])|\([\w.\-]+\)[sdr])")


# A value that starts with `$` is a reference (`$DB_PASSWORD`, `$(cat pw.txt)`, `$1`, `$$`) or a
# crypt(3)-style hash (`$2y$10$...`, `$apr1$...`, `$P$B...`); `$unfl0w3r68?` and `$ecret!42` are
# passwords that happen to start with one.
_DOLLAR_NOT_LITERAL = re.compile(r"\$(?:[{($\d]|[A-Za-z_][\w.\->\[\]'\"]*\Z|[\w\-]{1,32}\$)", re.S)


def _is_placeholder(value: str) -> bool:
    v = value.strip()
    low = v.lower()
    return (
        not v
        or (v[0] in "<{[(" and v[-1] in ">}])")
        or low.startswith("&lt;")
        or "${" in v or "{{" in v or "#{" in v or ("%" in v and _PRINTF_SLOT.search(v))
        or (v.startswith("$") and _DOLLAR_NOT_LITERAL.match(v) is not None)
        or "..." in v or "***" in v or "xxx" in v or "XXX" in v or "example" in low
        or low in _PLACEHOLDER_WORDS or low.strip("!#*_-.$%@") in _PLACEHOLDER_WORDS
        or low.strip("-") in ("anonymous@", "guest@", "user@site", "user@host", "you@", "me@")  # anonymous FTP conventions
        or (len(set(v)) == 1 and not v[0].isalnum())  # `••••••••`, `########`: masked
        or low in ("1password", "lastpass", "keepass", "keepassxc", "bitwarden", "vault")
        or low.startswith(("your", "my_", "enter", "insert", "replace", "example", "<"))
        or is_templated_secret(v)
    )


# Google's app passwords are four groups of four letters: the one password with spaces that
# cannot be a label or a sentence (`password: 'Enter your password'`).
_APP_PASSWORD = re.compile(r"[a-z]{4}(?: [a-z]{4}){3}")


_SCHEME_HASH = re.compile(r"\{(?!PLAIN\}|CLEAR(?:TEXT)?\})[A-Z][A-Z0-9.\-]{1,20}\}")
# Laravel/Joi-style validation rules: `required|confirmed|min:12`.
_VALIDATION_RULES = re.compile(r"(?:required|nullable|string|confirmed|min|max|between|regex|sometimes|present)"
                               r"(?::[^|]*)?(?:\|[\w:,.\-]+)+")
_TEMPLATE_ID = re.compile(r"d-[0-9a-f]{32}")
_HTML_ENTITY = re.compile(r"&#x?[0-9A-Fa-f]+;?|&[A-Za-z]+;")  # `&#x3C;`, `&#60`, `&lt;`; not `&dnZds#5`
_STORED_HASH = re.compile(r"md5[0-9a-f]{32}\Z|\*[0-9A-F]{40}\Z|SCRAM-SHA-256\$|(?:pbkdf2|argon2|bcrypt|scrypt|sha\d|md5|crypt|unsalted)[\w\-]{0,20}\$")
_ADDRESS_VALUE = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}|[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4}){2,7}")
# Not a password, whatever names it: numbers with separators (versions `1.302120`, timestamps,
# `/etc/shadow` ageing fields `99999:7:::`), hex bytes (`AC:A7:AA:75`, a certificate dump), type
# annotations (`list[str]`), identifiers naming a password scheme (`caching_sha2_password`).
_NOT_PASSWORD_SHAPE = re.compile(
    r"[\d.:\-/*+,]*[.:\-/][\d.:\-/*+,]*|[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){3,}:?|[A-Za-z_][\w.]*\[[\w, .\[\]|]*\]|"
    r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*_(?:password|passwd|pass|pwd)|"
    r"(?i:sha\d*|md5|bcrypt|argon2\w*|scrypt|pbkdf2\w*|\w+_crypt)|%\w+%|\d+\.(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)"
)
# Diceware-style passphrases (`tundra-ember-granite-saffron`): three or more words joined by `-`.
_PASSPHRASE = re.compile(r"[a-z]{3,}(?:-[a-z]{3,}){2,}(?:-?\d+)?")
# `tundra_river_biscuit_dragon`, `igloo.thunder.kiwi`: under a name that says password, three or
# more plain words are a passphrase, unless one of them is a word of code (`default_db_password`,
# `get.user.input`, `settings.db.value`).
_WORD_PASSPHRASE = re.compile(r"[a-z]{3,}(?:[-_.][a-z]{3,}){2,}(?:[-_.]?\d+)?")
_CODE_WORDS = frozenset("""pass password passwd pwd secret token key keys user users username login auth get set
    input env environ config conf settings setting value values default new old hash hashed salt db database admin
    self this args kwargs opts options params request form data field cfg app config vault store current
    password_hash none null true false str string from with and the for context eval ctx cls obj var tmp
    temp prefix suffix saved orig result res hooks hook util utils""".split())


def _word_passphrase(value: str) -> bool:
    seps = {c for c in value if c in "-_."}
    return len(seps) == 1 and _WORD_PASSPHRASE.fullmatch(value) is not None and not any(
        w in _CODE_WORDS for w in re.split(r"[-_.]", value.rstrip("0123456789")))


# Gmail app passwords written without spaces: sixteen random lowercase letters, few vowels.
def _app_password_run(value: str) -> bool:
    return len(value) == 16 and value.isalpha() and value.islower() and sum(c in "aeiou" for c in value) <= 6


_CAMEL_PIECES = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def _worded(value: str) -> bool:
    """`adminPassword`, `db.password`, `FieldName`: made of pronounceable words, as names are;
    `efTXoUwSlUIXafyGAG` is not."""
    pieces = [w for w in _CAMEL_PIECES.findall(value) if not w.isdigit()]
    letters = sum(c.isalpha() for c in value)
    good = sum(len(w) for w in pieces if any(c in "aeiouyAEIOUY" for c in w) and not _CONSONANT_RUN.search(w.lower()))
    return letters > 0 and good >= 0.8 * letters and len(pieces) <= 0.3 * letters + 1


def _password_ok(value: str, quoted: bool) -> bool:
    if quoted and _APP_PASSWORD.fullmatch(value):
        return True
    if len(value) < 4 or len(value) > 128 or any(c.isspace() for c in value) or _is_placeholder(value):
        return False
    if any(ord(c) < 32 or c == "\ufffd" for c in value) or value[0] == ":" or _HTML_ENTITY.match(value) or (
            value[-1] == "}" and "{" not in value):
        return False  # bytes of a binary file; `Some::Module`; `&#x3C;string>`
    if (_NAMEISH.fullmatch(value) and not _word_passphrase(value) and _worded(value)) or (
            _NAMES_A_PASSWORD.search(value) and not any(c.isdigit() for c in value)):
        return False  # `'admin_password': 'adminPassword'`: a field name, not a password
    if _SCHEME_HASH.match(value) or _STORED_HASH.match(value):
        return False  # LDAP/Dovecot hashes: `{SSHA}...`, `{CRYPT}$6$...`; PostgreSQL's `md5<hex>`, `SCRAM-SHA-256$...`
    if _ADDRESS_VALUE.fullmatch(value) or _NOT_PASSWORD_SHAPE.fullmatch(value) or "://" in value or is_potential_uuid(value) or (
            _VALIDATION_RULES.fullmatch(value)):
        return False  # `login(req, "74.138.200.143")`, `("ann@corp.io", "bob@corp.io")`: an address, not a password
    if _PATH.fullmatch(value) or _TEMPLATE_ID.fullmatch(value):
        return False  # `PWD=/home/deploy`: the working directory; `resetPassword: 'd-<hex>'`: a SendGrid template
    if quoted:
        return True
    # Unquoted: in code this is an expression (`password = get_password()`, `pwd: str`); only a
    # single token that could not be an identifier or a plain number reads as a literal.
    # YAML tags and aliases (`!vault |`, `!Ref DbPassword`, `*db_password`), commands and types
    # (`Read-Host -AsSecureString`, `String?`) are not literals either.
    if re.fullmatch(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+", value):
        return False  # `pass_dict=B2B_GEMM_PASS`: a constant
    return bool(_UNQUOTED_VALUE.fullmatch(value)) and not value.isdigit() and (
        not re.fullmatch(r"[A-Za-z_][A-Za-z_\-]*[?!]?", value) or _PASSPHRASE.fullmatch(value) is not None
        or _word_passphrase(value) or _app_password_run(value)
    ) and (not _attribute_access(value) or _word_passphrase(value)) and not re.match(r"[!*&][A-Za-z_]", value)


# `cfg.database.password`, `settings.DB_PASSWORD`, `process.env.X`: an attribute read. Generated
# passwords with a dot (`Xq7Lm.vBr2`, `Marble.46642`) have a part that starts with a digit or mixes
# case the way no identifier does (`vBrQ`: an upper, one lower, an upper).
_ATTRIBUTE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_RANDOM_CASE = re.compile(r"[A-Z][a-z][A-Z]")
_WORD_YEAR = re.compile(r"[A-Z][a-z]{2,}\d{2,}\.")  # `Velvet2012.rbr`: a word and a year, then more
_EMBEDDED_DIGIT = re.compile(r"[A-Za-z]\d+(?=[A-Za-z])")


def _attribute_access(value: str) -> bool:
    if _ATTRIBUTE.fullmatch(value) is None or _RANDOM_CASE.search(value) or _WORD_YEAR.match(value):
        return False
    # `Hn8vBg4Cx.Tz`: digits inside the letters more than once, in mixed case.
    return not (len(_EMBEDDED_DIGIT.findall(value)) >= 2 and value.lower() != value and value.upper() != value)


def _unquoted_key_ok(value: str) -> bool:
    # `private_key: PKCS7PrivateKeyTypes` is a type annotation: unquoted, a key must look random.
    return bool(_UNQUOTED_VALUE.fullmatch(value)) and len(value) >= 12 and sum(c.isdigit() for c in value) >= 2


def _alphabet_run(value: str, n: int = 6) -> bool:
    """`"0123456789ABCDEFGHIJKLMabcdefghijklm"`: an alphabet for random.choice, not a key."""
    run = 1
    for a, b in zip(value, value[1:]):
        run = run + 1 if ord(b) - ord(a) == 1 else 1
        if run >= n:
            return True
    return False


def _token_placeholder(value: str) -> bool:
    """`sk_live_xxxxxxxxxxxxxxxxxxxxxxxx`, `AKIAIOSFODNN7EXAMPLE` (AWS's documented example)."""
    low = value.lower()
    # `xxxx` or `XXXX` in one case: a random token holds `WxxX` now and then
    return "xxxx" in value or "XXXX" in value or "example" in low or "..." in value or "***" in value or "<" in value or "${" in value


def _random_enough(value: str) -> bool:
    """A generated secret of printable characters (WordPress salts, Django keys): long, no spaces
    (a 48+ character salt may hold two), at least three of lower / upper / digit / symbol."""
    spaces = sum(c.isspace() for c in value)
    if len(value) < 16 or (spaces and (len(value) < 48 or spaces > 2 or "\n" in value)) or _alphabet_run(value):
        return False
    classes = (
        any(c.islower() for c in value) + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value) + any(not c.isalnum() for c in value)
    )
    # 40+ characters of every class (a WordPress salt): `#{`, `${` or a leading `<` are chance
    if classes == 4 and len(value) >= 40 and len(set(value)) >= 25:
        low = value.lower()
        return not ("xxx" in low or "example" in low or "..." in value or "***" in value or low.startswith("your"))
    if _is_placeholder(value.replace(" ", "")):
        return False
    return classes >= 3 and len(set(value)) >= 10


def _random_or_hex(value: str) -> bool:
    """A value a secret name vouches for: generated printable characters, or 24+ hex digits."""
    return _random_enough(value) or (
        len(value) >= 24 and value.strip("0123456789abcdefABCDEF") == "" and _HEX.calculate_shannon_entropy(value) > 3.0)


# Azure DevOps personal access tokens: 52 characters of lowercase base32 (no mixed case to vouch for them).
_AZURE_ACCOUNT_KEY = re.compile(r"[A-Za-z0-9+/]{86}==")
_BASE32_TOKEN = re.compile(r"(?=[a-z2-7]*[2-7][a-z2-7]*[2-7])[a-z2-7]{52}")
_SECRET_WORDS = frozenset({"key", "keys", "apikey", "token", "tokens", "secret", "secrets", "salt", "pepper", "encrypt",
                           "credential", "credentials", "bearer", "cookie", "auth", "pat"})


def _secret_named(name: str | None) -> bool:
    """`validationKey`, `X-Api-Key`, `APP_KEY`, `client_secret`: a secret word as a word of the
    name; not `tokenizer_class`, `AutoTokenizer.from_pretrained`, `cache_key`, `key_id`, nor
    `password` (a password slot has its own rules)."""
    return (
        name is not None
        and any(w.lower() in _SECRET_WORDS for w in _CAMEL_SPLIT.findall(name))
        and not _NONSECRET_NAME.search(name)
        and not _describing(name)
        and not _names_password(name)
        and not _ID_NAME.search(name)
        and not _HASH_NAME.search(name)
        and not (_PUBLIC_NAME.search(name) and not _PRIVATE_WORD.search(name))
    )


def _key_ok(value: str, window: str) -> bool:
    return (
        len(value) >= 8
        and not value.startswith("arn:")  # an AWS resource name: an identifier
        and not any(c.isspace() for c in value)
        and not _is_placeholder(value)
        # a digit of the value, not of its escapes: `secret%3Dpassword` is `secret=password`
        and any(c.isdigit() for c in (unquote(value) if "%" in value else value))
        and not is_potential_uuid(value)
        and not is_sequential_string(value)
        and not _alphabet_run(value)
    )


def _name_before(window: str, pos: int) -> str | None:
    m = _NAME_BEFORE.search(window, max(0, pos - 80), pos)
    return m.group(1) if m else None


# reCAPTCHA / Turnstile / hCaptcha site keys are public by design (the secret key is not).
# A Twilio account SID names the account (policy: an identifier, like a user name); its auth token
# and API key secrets are the keys.
_ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")
_SITE_KEY_NAME = re.compile(r"(?i)site[_\-.]?key")
_XML_KEY_ATTR = re.compile(r"(?:key|name)[ \t]*=[ \t]*['\"]([\w.\-:]{1,80})['\"][ \t]+value[ \t]*=[ \t]*['\"]\Z")


_CREDENTIAL_BYTES = re.compile(rb"(?i)auth|pass|pwd|token|secret|key|credential")


_B64_JSON = re.compile(r"(?<![\w+/=.-])eyJ[A-Za-z0-9+/_\-]{16,}={0,2}(?![\w+/=.-])")


def _decoded_json(value: str) -> bytes | None:
    if not value.startswith("eyJ") or "." in value:
        return None
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_" if ("-" in value or "_" in value) else None)
    except (ValueError, binascii.Error):
        return None
    if raw.rstrip().endswith(b"}") and all(32 <= b < 127 or b in (9, 10, 13) for b in raw):
        return raw
    return None


def _encoded_credentials(value: str) -> bool:
    """Base64 of a JSON object that carries credentials (`{"auths": {"reg": {"auth": "..."}}}`)."""
    raw = _decoded_json(value)
    return raw is not None and _CREDENTIAL_BYTES.search(raw) is not None


def _encoded_json(value: str) -> bool:
    """`eyJwYWdlIjogMzYsIC...=`: base64 of a JSON object with no signature after it (a pagination
    cursor, a state blob); a JWT has dots and is found by its own rule."""
    raw = _decoded_json(value)
    # A `.dockerconfigjson` (`{"auths": {...}}`) carries credentials: that one stays a key.
    return raw is not None and _CREDENTIAL_BYTES.search(raw) is None


# `crypto_aead_chacha20poly1305_ietf_NPUBBYTES`, `SOME_LONG_CONSTANT_NAME_2`: three or more
# `_`-joined parts, each in one case: an identifier, where a random token mixes case inside a part.
_SNAKE_IDENTIFIER = re.compile(r"(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)(?:_(?:[a-z0-9]+|[A-Z0-9]+)){2,}")
_PUBLIC_KEY_NAME = re.compile(r"(?i)pub(?:lic)?[_\-.]?key")


def _in_type_path(window: str, at: int) -> bool:
    """The word at `at` ends a `A::B::Name` path (a CloudFormation type, a Perl or C++ name)."""
    while at and (window[at - 1].isalnum() or window[at - 1] == "_"):
        at -= 1
    return window.startswith("::", max(0, at - 2))


def _not_key_shaped(value: str) -> bool:
    """Literals no key looks like: escaped bytes (`\\x12\\n\\x0fMessage...`, a serialized
    protobuf), identifiers, `org/model-name` slugs (base64 has `/` but no `-`, base64url `-` but
    no `/`)."""
    return (
        "\\x" in value or "\\n" in value or "\\0" in value
        or _SNAKE_IDENTIFIER.fullmatch(value) is not None
        or ("/" in value and "-" in value)
    )


def _not_a_secret(window: str, start: int, value: str) -> bool:
    """What an entropy rule must leave: identifiers, hashes, embedded files, named by what
    stands right before the value (`"private_key_id": "`, `"integrity": "sha512-`,
    `"image/png": "`, `data:image/png;base64,`)."""
    if value.startswith(_NOT_SECRET_PREFIXES) or _HASH_PREFIX.search(window, max(0, start - 8), start):
        return True
    if _not_key_shaped(value):
        return True
    if _HASH_VALUE.match(value) or _encoded_json(value) or _ACCOUNT_SID.fullmatch(value):
        return True
    if window.rfind(";base64,", max(0, start - 80), start) != -1:
        return True
    name = _name_before(window, start)
    if name is None:
        return _ID_CONTEXT.search(window, max(0, start - 40), start) is not None
    if name == "value":  # `<add key="RecaptchaSiteKey" value="...">`: the key attribute names it
        named = _XML_KEY_ATTR.search(window, max(0, start - 120), start)
        if named and (_NONSECRET_NAME.search(named.group(1)) or _ID_NAME.search(named.group(1))):
            return True
    if (_PUBLIC_NAME.search(name) and not _PRIVATE_WORD.search(name)) or _PUBLIC_KEY_NAME.search(name):
        return True
    hashy = _HASH_NAME.search(name) and not name.lower().endswith("salt")  # Drupal's `hash_salt` is a secret
    return bool(_ID_NAME.search(name) or hashy or _MIME_NAME.search(name) or _SITE_KEY_NAME.search(name))


def _entropy_hits(window: str, base: int) -> Iterator[tuple[str, int, int]]:
    # Code is full of hex digests (checksums, cache keys, schema hashes) that no keyword
    # announces; a hex key is taken only where a secret-sounding name stands next to it.
    hex_allowed = _HASH_CONTEXT.search(window) is None
    if "'" in window or '"' in window:
        for plugin, is_hex in ((_BASE64, False), (_HEX, True)):
            for m in plugin.regex.finditer(window):
                value = m.group(2)
                if len(value) < 16:
                    continue
                if is_hex and len(value) < 24:
                    continue
                if not is_hex and value.strip("0123456789abcdefABCDEF") == "":
                    continue  # pure hex: the hex plugin (with its hash guard) decides
                if not _key_ok(value, window) or not re.search(r"[A-Za-z]", value):
                    continue
                # A secret-sounding name right before the value (`validationKey="<hex>"`,
                # `"X-Api-Key": "..."`) vouches for it, whatever else the line holds.
                before_name = _name_before(window, m.start(2))
                if before_name and _names_password(before_name) and not _describing(before_name):
                    continue  # `password="X4JNEtB1..."`: a password, whatever its entropy
                if before_name in ("n", "e", "x", "y", "x5c", "x5t") and '"kty"' in window:
                    continue  # a JWKS entry: the public modulus and exponent
                if before_name and _NONSECRET_NAME.search(before_name) and not _AZURE_ACCOUNT_KEY.fullmatch(value):
                    continue  # `"VerificationToken": "..."` (published in DNS), `cache_key`, `publicKey`
                named = _secret_named(before_name)
                if is_hex and not (
                    (hex_allowed and _SECRET_CONTEXT.search(window, max(0, m.start() - 40), m.start()))
                    or (named and not _HASH_CONTEXT.search(window, max(0, m.start() - 40), m.start()))
                ):
                    continue
                if _not_a_secret(window, m.start(2), value):
                    continue
                entropy = plugin.calculate_shannon_entropy(value)
                # Nothing on the line speaks of a secret: a high-entropy literal alone is as often
                # a file id, an address, a signature, test data or a serialized blob (measured on
                # real files: 3% of such findings were keys).
                if not is_hex and not named and not _SECRET_CONTEXT.search(window, 0, m.start()) and not _AZURE_ACCOUNT_KEY.fullmatch(value):
                    continue
                if _AZURE_ACCOUNT_KEY.fullmatch(value) and entropy > 4.5:
                    yield "key", base + m.start(2), base + m.end(2)  # 88 base64 characters: a storage account key, named or not
                    continue
                if named and not is_hex and len(value) >= 16 and sum(c.isdigit() for c in value) >= 3 and (
                        value.isalnum() and value.upper() == value and not _identifier_like(value)):
                    yield "key", base + m.start(2), base + m.end(2)  # `THINGSPEAK_WRITE_KEY = "B80Y5ASAPK23L925"`
                    continue
                if named and len(value) >= 20 and value.isalnum() and value.lower() == value and sum(
                        c.isdigit() for c in value) >= 3 and not _identifier_like(value) and entropy > 0.8 * math.log2(len(value)):
                    yield "key", base + m.start(2), base + m.end(2)  # `API_TOKEN: &str = "07rtnysh2rhoucjxizfqo6ancycxi4"`
                    continue
                if entropy > plugin.entropy_limit or (
                    named and not is_hex and entropy > 3.5 and (
                        (_random_enough(value) and sum(c.isdigit() for c in value) >= 2) or _BASE32_TOKEN.fullmatch(value)
                    )
                ):
                    yield "key", base + m.start(2), base + m.end(2)
    if "base64:" in window:
        # Laravel's `APP_KEY=base64:...`, quoted or not: the whole value is the key.
        for m in _BASE64_PREFIXED.finditer(window):
            if _secret_named(_name_before(window, m.start())) and _BASE64.calculate_shannon_entropy(m.group(1)) > 4.0:
                yield "key", base + m.start(), base + m.end()
    for m in _BEARER.finditer(window) if ("earer" in window or "oken" in window or "EARER" in window or "Basic" in window) else ():
        scheme, value = m.group(1), m.group(2)
        if scheme == "Basic":
            ok = _basic_credentials(value)
        else:
            ok = (
                (scheme.lower() != "token" or "authoriz" in window[max(0, m.start() - 40):m.start()].lower())
                and _key_ok(value, window)
                and re.search(r"[A-Za-z]", value) is not None
                and not _token_placeholder(value)
                and not _HASH_VALUE.match(value)
                and _BASE64.calculate_shannon_entropy(value) > 3.5
            )
        if ok:
            yield "key", base + m.start(2), base + m.end(2)


    if "=" in window or ":" in window:
        # Config files leave values unquoted (`aws_session_token = FwoG...`, `routing_key: 24e1...`):
        # there the name must sound secret, as nothing else marks the value as a string.
        for m in _UNQUOTED_TOKEN.finditer(window):
            value = m.group(1)
            name = _name_before(window, m.start(1))
            if (
                name is None
                or not _SECRET_NAME.search(name)
                or _NONSECRET_NAME.search(name)
                or _describing(name)
                or _names_password(name)
                or not _key_ok(value, window)
                or (sum(c.isdigit() for c in value) < 2 and not (  # Grafana's `secret_key = mdGbnBQiVUPoZThCQVT7`
                    len(value) >= 20 and value.isalnum() and value.lower() != value and value.upper() != value
                    and not _identifier_like(value)))
                or _not_a_secret(window, m.start(1), value)
            ):
                continue
            if _unquoted_token_ok(window, value, m.start(1), hex_allowed):
                yield "key", base + m.start(1), base + m.end(1)
    # A name, a space, a value ending the line: fluentd's `shared_key <tok>`, haproxy's `set-header
    # X-Api-Key <tok>`, fish's `set -gx API_TOKEN <tok>`. Not a flag's argument (`--recv-keys <fpr>`).
    tail = window.rstrip(" \t\r;")
    parts = tail.rsplit(None, 2)
    if len(parts) >= 2 and len(parts[-1]) >= 16:
        name, raw = parts[-2], parts[-1]
        quoted = len(raw) > 2 and raw[0] in "'\"" and raw[-1] == raw[0]
        value = raw[1:-1] if quoted else raw
        at = len(tail) - len(raw) + quoted
        if (
            _SPACED_TOKEN.fullmatch(value)
            and _secret_named(name.strip("'\"`:"))
            and (not name.startswith("-") or any(w in name.lower() for w in ("api", "token", "secret")))
            and _key_ok(value, window)
            and sum(c.isdigit() for c in value) >= 2
            and not _not_a_secret(window, at, value)
            and _unquoted_token_ok(window, value, at, hex_allowed)
        ):
            yield "key", base + at, base + at + len(value)


_SPACED_TOKEN = re.compile(r"[A-Za-z0-9+/_\-.~]{16,}={0,2}")


def _unquoted_token_ok(window: str, value: str, at: int, hex_allowed: bool) -> bool:
    """An unquoted value under a secret name: random enough to be a key."""
    if len(value) >= 24 and _PADDED_BASE64.fullmatch(value) and _password_is_key(value):
        return True  # a Kubernetes Secret's `data:`: base64 of printable text
    if value.strip("0123456789abcdefABCDEF") == "":
        return hex_allowed and len(value) >= 24 and _HEX.calculate_shannon_entropy(value) > _HEX.entropy_limit
    # The bound that grows with length only for plain alphanumeric values: `id_GostR3410_2001`,
    # `rfc4357.Gost28147_89_EncryptedKey` are names of code.
    limit = _short_limit(value) if value.isalnum() else _BASE64.entropy_limit
    return re.search(r"[A-Za-z]", value) is not None and not _NONSECRET_BEFORE.search(window, max(0, at - 40), at) and (
        _BASE64.calculate_shannon_entropy(value) > min(_BASE64.entropy_limit, limit)
        or (len(value) >= 32 and "." not in value and _random_enough(value) and not _identifier_like(value)
            and _RANDOM_CASE.search(value) is not None)  # `lrhnkgLoJhnLa_q8v7BOg9...`, not `X509_V_ERR_KEYUSAGE_NO_CERTSIGN`
        or (_BASE32_TOKEN.fullmatch(value) is not None and _BASE64.calculate_shannon_entropy(value) > 3.5)
    )


# `Next page token: eav1OzQB...`, `continuation token = ...`: said in words before the value.
_NONSECRET_BEFORE = re.compile(r"(?i)\b(?:page|next|continuation|cursor|csrf|xsrf|verification|public|publishable|site)"
                               r"[ _\-.]?(?:key|token)s?\b[^\n\w]{0,4}\Z")


def _short_limit(value: str) -> float:
    """Shannon entropy of a string is at most log2(len): a random 24-character token cannot reach
    detect-secrets' 4.5 bits. Under a secret name, 85% of the maximum will do."""
    return 0.85 * math.log2(max(2, len(value)))


def _basic_credentials(value: str) -> bool:
    """`Basic dXNlcjpwYXNz`: base64 of `user:password` (not of `user:` alone, nor a placeholder)."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        return False
    return _BASIC_DECODED.fullmatch(raw) is not None and not _is_placeholder(raw.decode().split(":", 1)[1])


def _keyword_hits(window: str, lowered: bytes, base: int) -> Iterator[tuple[str, int, int]]:
    """detect-secrets' keyword rules, anchored where a keyword starts: run unanchored they try
    eighteen case-insensitive alternatives at every position (half a millisecond a window)."""
    starts: set[int] = set()
    for literal in _KEYWORD_LITERALS:
        at = lowered.find(literal)
        while at != -1:
            starts.update(range(max(0, at - 9), at + 1))  # `database_pass`, `client_key`
            at = lowered.find(literal, at + 1)
    # Every rule starts with one of its keywords: try only the starts where one begins.
    starts = sorted(q for q in starts if _KEYWORD_HEAD.match(lowered, q))
    matches = [
        (m, group)
        for regex, group in _KEYWORD_REGEXES
        if regex is not ds_keyword.PRECEDED_BY_EQUAL_COMPARISON_SIGNS_QUOTES_REQUIRED_REGEX
        for q in starts
        if (m := regex.match(window, q))
    ]
    if b"==" in lowered or b"!=" in lowered:  # `"hunter2" == password`: the value comes first
        regex = ds_keyword.PRECEDED_BY_EQUAL_COMPARISON_SIGNS_QUOTES_REQUIRED_REGEX
        matches += [(m, 2) for m in regex.finditer(window)]
    for m, group in matches:
        value = m.group(group)
        quoted = bool(m.group(group - 1))  # the group before the value is its quote
        vs, ve = m.start(group) - m.start(), m.end(group) - m.start()
        name = (m.group(0)[:vs] + m.group(0)[ve:]).lower()
        if _describing(name):
            continue
        if any(w in name for w in _PASSWORD_WORDS) and not name.rstrip(" \t:=>'\"").endswith("salt"):
            ns = m.start()
            while ns and (window[ns - 1].isalnum() or window[ns - 1] in "_."):
                ns -= 1
            if _TUPLE_TARGET.search(window, max(0, ns - 80), ns):
                continue  # `user, password = "wile", "coyote"`: _unpacked_hits picks the right literal
            if (
                _password_ok(value, quoted)
                and not _ui_word(name, value)
                and not _EXPANSION_BEFORE.search(window, max(0, m.start() - 48), m.start() + 1)
            ):
                yield "password", base + m.start(group), base + m.end(group)
        elif (
            _key_ok(value, window) and (quoted or _unquoted_key_ok(value)) and not _in_type_path(window, m.start())
            and not _not_key_shaped(value) and not _HASH_NAME.search(_name_at(window, m.start(), m.start(group)))
            and not _ACCOUNT_SID.fullmatch(value)
        ):
            yield "key", base + m.start(group), base + m.end(group)
    yield from _own_keyword_hits(window, lowered, base)


# `echo 'root:pw' | chpasswd`, `echo "pw" | passwd --stdin deploy`.
_PIPED_PASSWORDS = (
    re.compile(r"\b(?:echo|printf)[ \t]+(?:-\w+[ \t]+)*(['\"]?)[\w.\-]{1,64}:([^\s:'\"]{1,128})\1[ \t]*\|[ \t]*(?:sudo[ \t]+)?chpasswd\b"),
    re.compile(r"\b(?:echo|printf)[ \t]+(?:-\w+[ \t]+)*(['\"]?)([^\s'\"\\]{1,128})\1[ \t]*\|[ \t]*(?:sudo[ \t]+)?passwd[ \t]+--stdin\b"),
    re.compile(r"\b(?:echo|printf)[ \t]+(?:-\w+[ \t]+)*(['\"]?)([^\s'\"\\]{1,128})\1[ \t]*\|[ \t]*(?:sudo[ \t]+)?vncpasswd\b"),
    # `echo 'pw' | docker login registry -u ci --password-stdin` (podman, helm, oras alike)
    re.compile(r"\b(?:echo|printf)[ \t]+(?:-\w+[ \t]+)*(['\"]?)([^\s'\"\\$]{1,128})\1[ \t]*\|[^|\n]{0,80}?\blogin\b[^|\n]*--password-stdin\b"),
)
# libcurl: `CURLOPT_USERPWD, "user:pw"` (C, PHP, pycurl's `USERPWD`), `CURLOPT_PASSWORD, "pw"`.
_CURLOPT = re.compile(
    r"(?i)(?:(?:proxy)?userpwd['\"]?[ \t]*(?:,|=>?|:)[ \t]*(['\"])[^'\":\n]*:([^'\"\n]{1,128})\1"
    r"|curlopt_(?:proxy)?(?:password|keypasswd)[ \t]*,[ \t]*(['\"])([^'\"\n]{1,128})\3)"
)
# A literal fallback after an environment read: `process.env.DB_PASS || "pw"`, `?? "pw"`,
# `os.environ.get("DB_PASS") or "pw"`, Ruby's `ENV.fetch("DB_PASS") { "pw" }`; Kotlin's
# `mapOf("password" to "pw")`.
# Each starts with a literal, so that sre's prefix search runs it fast over a window.
_FALLBACK_TAIL = r"[ \t]*(['\"])([^'\"\n]{1,128})\3"
_FALLBACKS = tuple(
    re.compile(head + r"(?:iron)?\b[\w.\[(\]'\"){}\- ]{0,8}?([\w.\-]{2,64})['\"]?[\])}]*[ \t]*(?:\|\||\?\?|\bor\b|\{)()" + _FALLBACK_TAIL)
    for head in ("env", "ENV")
) + (re.compile(r"(?<=['\"])()([\w.\-]{2,64})['\"][ \t]+to" + _FALLBACK_TAIL),)
# Inside a parameter expansion (`${DB_PASSWORD:?set it}`, `${db.password}`) the name is a
# reference; only a default given there is a literal: `${DB_PASS:-pw}`, `${DB_PASS:=pw}`,
# `${DB_PASS-pw}` (shell, Compose), `${db.password:pw}` (Spring `@Value`, application.yml).
_EXPANSION_BEFORE = re.compile(r"\$\{[\w.\-]*\Z")
_PARAM_DEFAULT = re.compile(r"\$\{([\w.\-]{1,64})(?::[-=]|:(?![?+])|-|=)(['\"]?)([^{}\s'\"$]{1,128})\2\}")
# `{ "password": "Passwort" }`: a UI label or its translation under a bare key, not a credential.
_UI_NAMES = frozenset({"password", "passwort", "pass", "passwd", "pwd", "passphrase", "new_password",
                       "confirm_password", "old_password", "current_password"})


def _ui_word(name: str, value: str) -> bool:
    # `'Passwort'`, and `'パスワード'` / `'Пароль'`: a word of letters outside ASCII is a translation.
    if not (value.isalpha() and ((value[0].isupper() and value[1:].islower()) or not value.isascii())):
        return False
    bare = "".join(c for c in name if c.isalnum() or c in "_.").lower().rsplit(".", 1)[-1]
    return bare in _UI_NAMES


def _name_at(window: str, at: int, end: int) -> str:
    """The whole name around a keyword at `at` whose match runs to `end`: `db_pass` for `pass`."""
    s = at
    while s and (window[s - 1].isalnum() or window[s - 1] in "_.-"):
        s -= 1
    e = at
    while e < end and (window[e].isalnum() or window[e] in "_.-"):
        e += 1
    return window[s:e]


def _own_keyword_hits(window: str, lowered: bytes, base: int) -> Iterator[tuple[str, int, int]]:
    xml = b"<" in lowered
    for literal in (b"pass", b"pw", b"kennwort", b"senha", b"wachtwoord", b"haslo", b"authtok"):
        at = lowered.find(literal)
        while at != -1:
            m = _PW_ASSIGN.match(window, at)
            if m and _TUPLE_TARGET.search(window, max(0, at - 80), at):
                # `user, password = "wile", "coyote"`: the literal in the password's position
                yield from _unpacked_hits(window, at, base)
                m = None
            if m:
                name = _name_at(window, at, m.end())
                if "." in name and not _names_password(name.rsplit(".", 1)[-1]) and not name.rstrip(".").endswith(
                        tuple(w for w in _PASSWORD_NAME_WORDS)):
                    name = name.rsplit(".", 1)[-1]  # `_PassArg.eval_context: "..."`, `pass_leaf.prefix = ...`
                quoted = m.group(3) is not None
                g = 3 if quoted else 5
                value = m.group(g)
                # `f("mail.smtp.password", "...")`: a call's first argument, ending in the keyword;
                # not a list (`["password", "email"]`) nor `f("HTTPPasswordMgr", "urllib2")`.
                comma_ok = m.group(1) is None or "," not in window[m.end(1):m.start(g)] or (
                    _CALL_BEFORE_NAME.search(window, max(0, at - 60), at) is not None
                    and _names_password(_CAMEL_SPLIT.findall(name)[-1])
                    and _KDF_CALL.search(window, max(0, at - 60), at) is None
                )
                if not quoted and (_OPERATOR_AFTER.match(window, m.end(g)) or (
                        m.group(1) is not None and "," in window[m.end(1):m.start(g)])):
                    value = ""  # `x9_63_scheme + (16, )`, `f("password", data=data)`: an expression
                if _OPERAND_BEFORE.search(window, max(0, at - 4), at):
                    value = ""  # `row[x + xpos - pw] = char2`: `pw` is an operand, not a name
                if not quoted and _IDENTIFIER_VALUE.fullmatch(value) and not any(c.isdigit() for c in value) and not _names_strongly(name):
                    value = ""  # `_assertion_pass = saved_assert_hooks`: a variable
                if not quoted and len(value) == 4 and (app := _APP_PASSWORD_AT.match(window, m.start(g))):
                    value, g, m = app.group(0), 0, app  # `abcd efgh ijkl mnop`, unquoted
                    quoted = True
                if (
                    comma_ok
                    and _names_password(name)
                    and not _describing(name)
                    and _password_ok(value, quoted)
                    and (_names_strongly(name) or (quoted and _app_password_run(value)) or (  # `pass` alone: a test verdict, `Test2::Event::Pass`
                        not value.isalpha() and any(c.isalpha() for c in value)
                        and "::" not in window[max(0, at - 40):at].rsplit(" ", 1)[-1]))
                    and not _ui_word(name, value)
                    and not _EXPANSION_BEFORE.search(window, max(0, at - 48), at + 1)
                ):
                    yield "password", base + m.start(g), base + m.end(g)
            m = _PW_CALL.match(window, at)
            if m and ":" not in m.group(2):
                name = _name_at(window, at, m.start(1)).rsplit(".", 1)[-1]
                words = _CAMEL_SPLIT.findall(name)
                value = m.group(2)
                if (
                    words
                    and _names_password(words[-1])
                    and words[0].lower() not in _GETTER_WORDS
                    and not _describing(name)
                    and _password_ok(value, True)
                    and not value.isalpha()
                ):
                    yield "password", base + m.start(2), base + m.end(2)
            m = _PW_FALLBACK.match(window, at) or _PW_LAST_ARG.match(window, at)
            if m:
                name = _name_at(window, at, m.end()).rsplit(".", 1)[-1]
                words = _CAMEL_SPLIT.findall(name)
                value = m.group(2)
                if (
                    words
                    and _names_password(words[-1])
                    and words[0].lower() not in _GETTER_WORDS
                    and not _describing(name)
                    and _password_ok(value, True)
                    and not value.isalpha()
                ):
                    yield "password", base + m.start(2), base + m.end(2)
            m = _PW_TERNARY.match(window, at)
            if m and _names_password(_name_at(window, at, m.start(1))):
                for g in (2, 4):  # `password: isProd ? 'pw1' : 'pw2'`: both literals
                    if _password_ok(m.group(g), True) and not m.group(g).isalpha():
                        yield "password", base + m.start(g), base + m.end(g)
            m = _PW_HASHED.match(window, at)
            if m and _hasher(m.group(1)):
                name = _name_at(window, at, m.start(1))
                value = m.group(3)
                if _names_password(name) and _password_ok(value, True) and (_names_strongly(name) or not value.isalpha()):
                    yield "password", base + m.start(3), base + m.end(3)
            m = (_PW_TYPED.match(window, at) or _PW_FILL_IN.match(window, at) or _PW_BLOCK.match(window, at)
                 or _PW_SPACED.match(window, at))
            if m:
                name = _name_at(window, at, m.start(1))
                value = m.group(2)
                spaced = m.re is _PW_SPACED
                if (
                    _names_password(name)
                    and not _describing(name)
                    and _password_ok(value, True)
                    and not _ui_word(name, value)
                    and (not value.isalpha() or (not spaced and _names_strongly(name)))
                    # SQL's bare `PASSWORD 'pw'`; an EDN keyword `:pass "pw"`
                    and (not spaced or name.lower() in ("password", "passwd", "pwd", "passphrase") or window[at - 1:at] == ":")
                ):
                    yield "password", base + m.start(2), base + m.end(2)
            if literal == b"pass":
                m = _PW_PROSE.match(window, at)
                if m and _pair_password(m.group(2), bool(m.group(1))) == "password" and not _NOT_PASSWORD_SHAPE.fullmatch(m.group(2)):
                    yield "password", base + m.start(2), base + m.end(2)
            sel = _FILL_SELECTOR_BEFORE.search(window, max(0, at - 64), at)
            if sel:
                m = _FILL_VALUE_AFTER.match(window, at)
                if m and m.group(1) == sel.group(1) and _password_ok(m.group(3), True):
                    yield "password", base + m.start(3), base + m.end(3)
            m = _FOR_KEY.search(window, max(0, at - 200), at)
            if m:
                name = _name_at(window, at, at + len(literal))
                if _names_password(name) and not _describing(name) and _password_ok(m.group(2), True):
                    yield "password", base + m.start(2), base + m.end(2)
            if xml:
                yield from _xml_hits(window, at, base)
            at = lowered.find(literal, at + len(literal))
    if b"hashpw" in lowered or b"hashsync" in lowered or b"password" in lowered or b"hash(" in lowered or b"encoder." in lowered:
        for m in _HASH_CALL.finditer(window):
            if _password_ok(m.group(3), True) and not m.group(3).isalpha():
                yield "password", base + m.start(3), base + m.end(3)
    if b"passwd" in lowered or b"password-stdin" in lowered:
        for regex in _PIPED_PASSWORDS:
            for m in regex.finditer(window):
                if _password_ok(m.group(2), True):
                    yield "password", base + m.start(2), base + m.end(2)
    if b"-passout" in lowered or b"-passin" in lowered:
        for m in _OPENSSL_PASS.finditer(window):
            if _password_ok(m.group(1), True):
                yield "password", base + m.start(1), base + m.end(1)
    if b"requirepass" in lowered or b"masterauth" in lowered:
        for m in _REQUIREPASS.finditer(window):
            if _password_ok(m.group(2), True):
                yield "password", base + m.start(2), base + m.end(2)
    if b"security_credentials" in lowered:
        for m in _JNDI_CREDENTIALS.finditer(window):
            if _password_ok(m.group(2), True):
                yield "password", base + m.start(2), base + m.end(2)
    if b"htpasswd" in lowered:
        for m in _HTPASSWD.finditer(window):
            if _password_ok(m.group(2), True) and not m.group(2).isalpha():
                yield "password", base + m.start(2), base + m.end(2)
    if b"curlopt" in lowered or b"userpwd" in lowered:
        for m in _CURLOPT.finditer(window):
            g = m.lastindex
            if _password_ok(m.group(g), True):
                yield "password", base + m.start(g), base + m.end(g)
    if (b"env" in lowered and (b"||" in lowered or b"??" in lowered or b" or " in lowered or b"{" in lowered)) or (
        b"\" to " in lowered or b"' to " in lowered
    ):
        for m in (m for regex in _FALLBACKS for m in regex.finditer(window)):
            name, value = m.group(1) or m.group(2), m.group(4)
            if _names_password(name) and not _describing(name) and _password_ok(value, True) and not value.isalpha():
                yield "password", base + m.start(4), base + m.end(4)
    if b"${" in lowered:
        for m in _PARAM_DEFAULT.finditer(window):
            name, value = m.group(1), m.group(3)
            if (
                # a dev default that is a placeholder word plus digits (`${DB_PASSWORD:secret1}`)
                value.rstrip("0123456789").lower() not in _PLACEHOLDER_WORDS
                and _names_password(name)
                and not _describing(name)
                and _password_ok(value, True)
                and (_names_strongly(name) or not value.isalpha())
            ):
                yield "password", base + m.start(3), base + m.end(3)
    if b"-" in lowered:
        for m in _FLAG_PASSWORD.finditer(window):
            flag, value = m.group(1).lower(), m.group(3)
            if (
                not flag.endswith(_NOT_PASSWORD_FLAGS)
                and _password_ok(value, bool(m.group(2)))
                and not value.isdigit()
            ):
                yield "password", base + m.start(3), base + m.end(3)
    if b"=" in lowered and (b"password" in lowered or b"pwd" in lowered):
        for m in _CONN_STRING.finditer(window):
            rest_is_field = window.startswith(";", m.end()) and not window.startswith(";", m.end() + 1)
            after_field = _CONN_STRING_BEFORE.search(window, max(0, m.start() - 8), m.start()) is not None
            value = m.group(1)
            # `var pwd = Console.ReadLine();` is a statement, not a connection string: outside a
            # string, the value must read as a literal.
            statement = not after_field and "'" not in window[:m.start()] and '"' not in window[:m.start()]
            if (rest_is_field or after_field) and _password_ok(value, not statement):
                yield "password", base + m.start(1), base + m.end(1)
    if b"identified" in lowered:
        for m in _SQL_IDENTIFIED.finditer(window):
            quoted = m.group(2) is not None
            g = 2 if quoted else 4
            # Prose says "identified by 'name'" too: without `CREATE USER`/`GRANT` before it, only
            # a value with a digit or a symbol counts.
            sql = _SQL_STATEMENT.search(window, 0, m.start()) is not None
            if _password_ok(m.group(g), quoted) and (sql or not m.group(g).isalpha()):
                yield "password", base + m.start(g), base + m.end(g)


def _xml_hits(window: str, at: int, base: int) -> Iterator[tuple[str, int, int]]:
    """`<password>pw</password>` and `<add key="DbPassword" value="pw"/>`, the keyword at `at`."""
    m = _XML_ELEMENT.match(window, at)
    if m:
        lt = window.rfind("<", max(0, at - 64), at)
        close = window.find(">", at)
        tag = window[lt + 1:close] if lt != -1 else ""
        if tag == m.group(2) and _XML_TAG.fullmatch(tag):
            yield from _named_xml_value(tag, m, 1, base)
    m = _XML_NAME_VALUE.match(window, at) or _XML_NAMED_ELEMENT.match(window, at)
    head = _XML_NAME_ATTR.search(window, max(0, at - 64), at) if m else None
    if m and head:
        yield from _named_xml_value(window[head.end(1):m.start(1)], m, m.re.groups, base)


def _named_xml_value(name: str, m: re.Match, g: int, base: int) -> Iterator[tuple[str, int, int]]:
    value = m.group(g)
    if (
        _names_password(name)
        and not _describing(name)
        and _password_ok(value, True)
        and (_names_strongly(name) or not value.isalpha())
    ):
        yield "password", base + m.start(g), base + m.end(g)


def _names_strongly(name: str) -> bool:
    """`password`, `passwd`, `pwd` name a password; `pass` alone may be a test verdict."""
    low = name.lower()
    return "password" in low or "passwd" in low or "pwd" in low or "passphrase" in low or any(
        w in low for w in ("passwort", "kennwort", "mot_de_passe", "senha", "wachtwoord", "contrase")) or any(
        w in _CAMEL_SPLIT.findall(low) for w in ("haslo", "parola"))


def _netrc_hits(text: str, window: str, ws: int) -> Iterator[tuple[str, int, int]]:
    """`password VALUE` as the whole line (.netrc), or ending a line of words (a router's
    `username admin privilege 15 password 0 VALUE`): the window must start its line."""
    if ws and text[ws - 1] != "\n":
        return
    m = _NETRC.match(window)
    if m and _password_ok(m.group(1), False):
        yield "password", ws + m.start(1), ws + m.end(1)
    for m in _DEVICE_PASSWORD.finditer(window):
        if _DEVICE_LINE.match(window, window.rfind("\n", 0, m.start()) + 1, m.start()) and _password_ok(m.group(1), False):
            yield "password", ws + m.start(1), ws + m.end(1)


# A config directive and its value, alone on a line: redis' `requirepass pw` / `masterauth pw`,
# ldap.conf's `bindpw pw`, slapd's `rootpw pw`, haproxy's `stats auth user:pw`. Commands that
# take a user name (`passwd deploy`, `htpasswd -c f u`) are not directives.
_DIRECTIVE = re.compile(r"[ \t]*([A-Za-z][\w.\-]*)[ \t]+(?:([^\s:'\"]+):)?(['\"]?)([^\s'\"]{1,128})\3[ \t\r]*(?=\n|\Z)")
_STATS_AUTH = re.compile(r"(?i)[ \t]*stats[ \t]+auth[ \t]+[^\s:]+:([^\s'\"]{1,128})[ \t\r]*(?=\n|\Z)")
_PASSWD_COMMANDS = frozenset({"passwd", "chpasswd", "htpasswd", "gpasswd", "smbpasswd", "vncpasswd", "mkpasswd",
                              "pass", "keepass", "keepassxc", "pwd", "pw", "lpasswd", "yppasswd", "kpasswd"})
_DIRECTIVE_NAMES = frozenset({"masterauth"})


# The same after a command or a few words of one: fish's `set -gx PGPASSWORD 'pw'`, Tcl/expect's
# `set enable_secret "pw"`, UCI's `option password 'pw'`, csh's `setenv DB_PASS pw`.
_PREFIXED_DIRECTIVE = re.compile(
    r"[ \t]*((?:-{0,2}[A-Za-z][\w\-]*[ \t]+){1,3})([A-Za-z_][\w.\-]*)[ \t]+(['\"]?)([^\s'\"]{1,128})\3[ \t]*;?[ \t\r]*(?=\n|\Z)"
)
# PowerShell's registry and item writes: `Set-ItemProperty -Path $p -Name DefaultPassword -Value 'pw'`.
_PS_NAME_VALUE = re.compile(
    r"(?i)-Name[ \t]+(['\"]?)([\w.\-]{1,80})\1[ \t]+(?:-(?:PropertyType|Type)[ \t]+\w+[ \t]+)?-Value[ \t]+(['\"])([^'\"\n]{1,128})\3"
)
# Erlang/Elixir terms: `{password, "pw"}`, `{password, <<"pw">>}`, `{:password, 'pw'}`; ABAP's
# `lc_password TYPE string VALUE 'pw'`.
_TUPLE_PAIR = re.compile(r"\{[ \t]*:?([a-z_][\w]{0,63})[ \t]*,[ \t]*(?:<<)?(['\"])([^'\"\n]{1,128})\2")
_ABAP_VALUE = re.compile(r"(?i)\b([\w\-]{1,80})[ \t]+TYPE[ \t]+[\w\-]{1,40}[ \t]+VALUE[ \t]+'([^'\n]{1,128})'")


def _named_form_hits(window: str, lowered: bytes, base: int) -> Iterator[tuple[str, int, int]]:
    """Forms where a separator other than `=` or `:` stands between a password's name and its value."""
    if b"-value" in lowered:
        for m in _PS_NAME_VALUE.finditer(window):
            if not m.group(4).isalpha():
                yield from _named_value(m.group(2), m.group(4), base + m.start(4), base + m.end(4))
    if b"{" in lowered:
        for m in _TUPLE_PAIR.finditer(window):
            if _names_password(m.group(1)) and not m.group(3).isalpha():
                yield from _named_value(m.group(1), m.group(3), base + m.start(3), base + m.end(3))
    if b" value '" in lowered:
        for m in _ABAP_VALUE.finditer(window):
            if _names_password(m.group(1)) and not m.group(2).isalpha():
                yield from _named_value(m.group(1), m.group(2), base + m.start(2), base + m.end(2))


def _directive_hits(text: str, window: str, ws: int) -> Iterator[tuple[str, int, int]]:
    if ws and text[ws - 1] != "\n":
        return
    m = _PREFIXED_DIRECTIVE.match(window)
    if m and (ws + m.end() == len(text) or text[ws + m.end()] == "\n"):
        command, name, value = m.group(1).split()[0].lower(), m.group(2), m.group(4)
        if (
            _names_password(name) and not _describing(name) and command not in _PASSWD_COMMANDS
            and _password_ok(value, bool(m.group(3))) and not value.isalpha() and not value.isdigit()
        ):
            yield "password", ws + m.start(4), ws + m.end(4)
    m = _DIRECTIVE.match(window)
    if m and m.group(2) is None and (ws + m.end() == len(text) or text[ws + m.end()] == "\n"):
        name, value = m.group(1), m.group(4)
        low = name.lower()
        if (
            low in _DIRECTIVE_NAMES
            or (_names_password(name) and low not in _PASSWD_COMMANDS and not _describing(name))
        ) and _password_ok(value, bool(m.group(3))) and (_names_strongly(name) or not value.isalpha()):
            yield "password", ws + m.start(4), ws + m.end(4)
        elif _secret_named(name) and "/" not in value and _random_or_hex(value):
            yield "key", ws + m.start(4), ws + m.end(4)  # `secret_key 7854a025...` alone on its line
    m = _STATS_AUTH.match(window)
    if m and _password_ok(m.group(1), True):
        yield "password", ws + m.start(1), ws + m.end(1)


def _define_hits(window: str, base: int) -> Iterator[tuple[str, int, int]]:
    for regex in _DEFINES:
        for m in regex.finditer(window):
            name, value = m.group(2), m.group(4)
            if _describing(name):
                continue
            if _names_password(name):
                if _password_ok(value, True):
                    yield "password", base + m.start(4), base + m.end(4)
            elif _SECRET_NAME.search(name) and not _NONSECRET_NAME.search(name) and _random_enough(value):
                yield "key", base + m.start(4), base + m.end(4)


# A literal (in the lowered window) each positional rule needs; rules past the first two may
# read on into the next lines (`ext`).
_POSITIONAL_GATES = (None, ("pdo", "mysql"), ("dbi", "getconnection", "pymssql"), ("oracle",), ("->credentials",), ("smtp.start",),
                     ("smtp.start",), ("convertto-securestring",), ("net use",), ("net user",), ("ftp", "ldap"), ("auth",))


def _positional_hits(window: str, ext: str, base: int) -> Iterator[tuple[str, int, int]]:
    lw = None
    for regex, gate in zip(_POSITIONAL, _POSITIONAL_GATES):
        if gate is not None:
            lw = lw if lw is not None else ext.lower()
            if not any(g in lw for g in gate):
                continue
        for m in regex.finditer(window if gate is None else ext):
            value = m.group(m.lastindex)
            # A credential, not a realm or a mode: letters with a digit or a symbol.
            if _password_ok(value, True) and (not value.isalpha() or _app_password_run(value)) and not value.isdigit():
                yield "password", base + m.start(m.lastindex), base + m.end(m.lastindex)


def _pgpass_hits(text: str, view: bytes) -> Iterator[tuple[str, int, int]]:
    done = -1
    for m in _PGPASS_SPOT.finditer(view):
        if m.start() < done:
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end == -1 else line_end
        done = line_end
        if line_end - line_start > 400:
            continue
        line = text[line_start:line_end]
        pm = _PGPASS_LINE.match(line)
        if pm and _password_ok(pm.group(1), True):
            yield "password", line_start + pm.start(1), line_start + pm.end(1)


# Postfix sasl_passwd: `[smtp.host]:587 user:pw`; ipsec.secrets: `carol : EAP "pw"`.
_SASL_LINE = re.compile(r"[ \t]*\[[\w.\-:]+\](?::\d{1,5})?[ \t]+[^\s:]+:([^\s]{1,128})[ \t\r]*\Z")
_IPSEC_LINE = re.compile(r"[^\n:]{0,200}:[ \t]*(?:EAP|XAUTH|PSK|NTLM)[ \t]+(['\"]?)([^\s'\"]{1,128})\1[ \t\r]*\Z")
_LINE_FORMATS = ((re.compile(rb"\]:\d{1,5}[ \t]+\S"), _SASL_LINE, 1),
                 (re.compile(rb": (?:EAP|XAUTH|PSK|NTLM) "), _IPSEC_LINE, 2))


def _line_format_hits(text: str, view: bytes) -> Iterator[tuple[str, int, int]]:
    for spot, regex, g in _LINE_FORMATS:
        done = -1
        for hit in spot.finditer(view):
            at = hit.start()
            if at < done:
                continue
            line_start = text.rfind("\n", 0, at) + 1
            line_end = text.find("\n", at)
            line_end = len(text) if line_end == -1 else line_end
            if line_end - line_start <= 400:
                m = regex.match(text, line_start, line_end)
                if m and _password_ok(m.group(g), True):
                    value = m.group(g)
                    # An IPsec PSK of random characters is a key, a phrase is a password.
                    kind = "key" if regex is _IPSEC_LINE and "PSK" in m.group(0) and _random_enough(value) else "password"
                    yield kind, m.start(g), m.end(g)
            done = line_end


# Credentials given as a pair, the account first: a mailbox and the literal after it in a call, a
# tuple or a test table (`login("ann@corp.io", "Tig3r@675")`, `[InlineData("ann@corp.io", "pw")]`,
# Go's `{"ok", "ann@corp.io", "pw", ...}`), a CSV row (`ann@corp.io,Pw!2024`), or prose
# (`demo account: ann@corp.io / pw`); and a well-known account name in prose (`log in with
# \`demo\` / \`pw\``, `admin / Blizzard2010#`). Nothing names the second value, so it must look
# like a password on its own: see _pair_password.
_QUOTED_NEXT = {
    '"': re.compile(r'"(?:\.[A-Za-z_]\w{0,20}\(\))?[ \t]*,\s{0,40}(?:(")((?:[^"\\\n]|\\.){1,128})"|(`)([^`\n]{1,128})`|(\')([^\'\n]{1,128})\')'),
    "'": re.compile(r"'(?:\.[A-Za-z_]\w{0,20}\(\))?[ \t]*,\s{0,40}(?:(')([^'\\\n]{1,128})'|(\")((?:[^\"\\\n]|\\.){1,128})\")"),
    "`": re.compile(r"`[ \t]*[,|]\s{0,40}(?:(`)([^`\n]{1,128})`|(\")((?:[^\"\\\n]|\\.){1,128})\")"),
}
_PROSE_NEXT = re.compile(r"[ \t]*(?:/|\|)[ \t]*(`|'|\"|)([^\s'\"`()\[\]{}<>]{6,64}?)\1(?:\)[.,;:]|[.,;:)])?(?=[ \t]*(?:\r?\n|\Z|[ \t)]))")
_CSV_NEXT = re.compile(r",()([^\s,'\"`]{6,64})(?=,|[ \t]*\r?\n|[ \t]*\Z)")
_ACCOUNT_WORDS = frozenset({"admin", "administrator", "root", "demo", "test", "tester", "guest", "user", "superuser",
                            "operator", "sa", "postgres", "manager", "support", "staff", "editor", "viewer", "ubuntu",
                            "deploy", "ci", "dev", "developer", "owner", "sysadmin", "webmaster", "service"})
_ACCOUNT_BEFORE = re.compile(r"(?<![\w./\-])([`'\"]?)([A-Za-z][\w.\-]{0,31})\1[ \t]*\Z")
_SYMBOLS = frozenset("!@#$%^&*?~+=<>;:,._-/\\|()[]{}")


def _pair_password(value: str, quoted: bool, strict: bool = False) -> str | None:
    """`password` (or `key` for a long random token) when `value`, standing where a password
    would stand but named by nothing, looks like one by itself: letters and digits with a
    symbol or mixed case (`Tig3r@675`, `aQMfeOfAspjUfSMOR9o`), or a passphrase of three or more
    words joined by `-`. Not a word, a name, a number, a date, a path, an address, a hash."""
    if not 6 <= len(value) <= 128 or not _password_ok(value, True) or "://" in value or "/" in value:
        return None
    if is_potential_uuid(value) or (len(value) >= 16 and value.strip("0123456789abcdefABCDEF") == ""):
        return None
    if not quoted and _CODEISH_VALUE.match(value):
        return None  # prose after `password:` that is code: `SecureRandom.hex(12)`
    lower, upper = any(c.islower() for c in value), any(c.isupper() for c in value)
    digit, symbol = any(c.isdigit() for c in value), any(c in _SYMBOLS for c in value)
    if strict:
        # After a user name, nothing vouches for the value: `("encoding", "utf-8")`, `("runs-on",
        # "ubuntu-22.04")`, `("color", "#FF00aa")` must stay. Mixed case with a digit, or a symbol
        # other than a separator with letters and a digit.
        odd = any(c in _SYMBOLS and c not in "-_.:" for c in value)
        ok = digit and ((lower and upper) or (odd and sum(c.isalpha() for c in value) >= 3))
        ok = ok and not value.startswith("#") and not _VERSIONISH.fullmatch(value)
    else:
        ok = _PASSPHRASE.fullmatch(value) is not None or _unnamed_password_tier(value) >= 1 or (
            (lower or upper) and digit
            and (any(c in _ODD_SYMBOLS for c in value) or (lower and upper) or (quoted and len(value) >= 8 and value.isalnum()))
            and (quoted or not _attribute_access(value))
        )
    if ok:
        random_token = len(value) >= 32 and _random_enough(value) and not _PASSPHRASE.fullmatch(value)
        return "key" if random_token else "password"
    return None


# After a comma, a literal; before it, the account: a short user-name literal (`"alice"`,
# `@"ios-client"`) or an expression naming one (`cfg.username`, `BIND_DN`, `user`).
# (the literal must hold a digit within its first 64 characters: checked in C, not per hit in Python)
_COMMA_LITERAL = re.compile(rb",[ \t]*@?['\"`](?=[^'\"`\n]{0,63}[0-9])")
_USER_LITERAL_BEFORE = re.compile(r"(?<![\w\\])(['\"`])([A-Za-z][\w.\-]{1,31})\1(?:\.[A-Za-z_]\w{0,20}\(\))?[ \t]*\Z")
_USER_NAME_BEFORE = re.compile(
    r"(?i)(?<![\w.])[\w.\[\]'\"]{0,40}(?:user(?:_?name)?|login|email|account|uid|bind_?dn|principal)[\w]{0,12}[\]'\"]*[ \t]*\Z"
)
_LITERAL_AT = re.compile(r"@?(['\"`])((?:[^'\"`\n\\]|\\.){6,64}?)\1(?:\.[A-Za-z_]\w{0,20}\(\))?[ \t]*(?=[,)}\]]|\r?\n)")
_CREDENTIAL_WORDS = re.compile(r"(?i)pass|pwd|credential|login|logon|sign_?in|auth|secret|user|ssid|wlan|wifi")


# How a value nothing names can still read as a password. Random: letters and digits alternating
# three or more times in mixed case (`Uuo13YYwyY7sTLNw`, `s8pEkFA8X5`), or a symbol no identifier
# has (`Meadow83Lumen!`). Human: a word and two or more digits (`Larch5690`, `Kestrel.2749`,
# `gale.Onyx33`, `Cedar_3128`). Identifiers with digits (`viMoveIn32`, `Float64Array`,
# `SmoothL1Loss`, `Qwen3VLVisionBlock`) are neither.
_TRANSITION = re.compile(r"[A-Za-z]\d|\d[A-Za-z]")
_HUMAN_PASSWORD = re.compile(r"(?:[a-z]{3,}[._\-]){0,2}(?:[a-z]{3,}[._\-]?)?[A-Za-z][a-z]{2,}[._\-]?\d{2,}")
_ODD_SYMBOLS = frozenset("!@#$%^&*?~+|")


_CODEISH_VALUE = re.compile(r"[\w.\-]+=\S|.*[\\{}\[\]()]|-|.*[<>]=?\d|.*\*\[")


def _unnamed_password_tier(value: str) -> int:
    """2: random-looking, 1: human-looking, 0: not a password by its looks."""
    if value[:1].isdigit() and _VERSIONISH.match(value) and "." in value[:4]:
        return 0  # `7.0+PTX`, `1.2.3-rc1`
    if _CODEISH_VALUE.match(value):
        return 0  # `tracemalloc=5`, `\\U00010203`, `$\\mathdefault{05}$`, `-Xmx512m`, `mercurial>5.7`
    letters = any(c.isalpha() for c in value)
    digit = any(c.isdigit() for c in value)
    if not (letters and digit):
        return 0
    mixed = any(c.islower() for c in value) and any(c.isupper() for c in value)
    if (any(c in _ODD_SYMBOLS for c in value) and sum(c.isalpha() for c in value) >= 3) or (
            mixed and len(_TRANSITION.findall(value)) >= 3):
        return 2
    return 1 if _HUMAN_PASSWORD.fullmatch(value) else 0


_LITERAL_BEFORE = re.compile(r"['\"`]\s*,\s*\Z")
_LITERAL_AFTER = re.compile(r"\s*,\s*@?['\"`]")


def _squash(s: str) -> str:
    return re.sub(r"[\W_]", "", s).lower()


def _user_then_password(text: str, view: bytes) -> Iterator[tuple[str, int, int]]:
    """`store.Add("alice", "Uuo13YYwyY7sTLNw+G")`, `Credentials.basic("android-app", "Kestrel.2749")`,
    `new Sequelize(db, cfg.username, 'Cedar_3128')`, Go's `{"valid", "alice", "pw", 200}`: where
    credentials are spoken of nearby. A random-looking value may have them in the 1,500
    characters before (a test table under its struct); a human-looking one needs them on its own
    line or a user expression before it. Lists of three or more literals are lists, not pairs
    (`'P1dc', 'P1Edge', 'P1nc'`, `"java", "-Xmx512m", "-cp"`)."""
    for hit in _COMMA_LITERAL.finditer(view):
        comma = hit.start()
        m = _LITERAL_AT.match(text, hit.end() - 1 - (text[hit.end() - 2] == "@"))
        if not m:
            continue
        value = m.group(2)
        if not any(c.isdigit() for c in value) or _unnamed_password_tier(value) == 0:
            continue  # most literals after a comma are words: the cheap test first
        before = _USER_LITERAL_BEFORE.search(text, max(0, comma - 56), comma) or _USER_NAME_BEFORE.search(
            text, max(0, comma - 64), comma)
        if before is None or (before.re is _USER_LITERAL_BEFORE and before.group(2).lower() == value.lower()):
            continue
        if ":" in value or (before.re is _USER_NAME_BEFORE and _names_password(before.group(0))):
            continue  # `CURLOPT_USERPWD, "u:pw"`, `user:pw` strings: their own rules split them
        if (before.re is _USER_LITERAL_BEFORE and _LITERAL_BEFORE.search(text, max(0, before.start() - 40), before.start())
                and _LITERAL_AFTER.match(text, m.end())):
            continue  # a literal on each side: a list
        if before.re is _USER_LITERAL_BEFORE and _squash(before.group(2)) == _squash(value):
            continue  # `'crc-16-mcrf4xx', 'Crc16Mcrf4xx'`: one name written twice
        kind = _pair_password(value, True, strict=True)
        tier = _unnamed_password_tier(value) if kind else 0
        if not tier:
            continue
        line_start = text.rfind("\n", 0, comma) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end == -1 else line_end
        near = before.re is _USER_NAME_BEFORE or _CREDENTIAL_WORDS.search(text, line_start, line_end) is not None
        if near or (tier == 2 and _CREDENTIAL_WORDS.search(text, max(0, comma - 1500), m.end() + 200)):
            yield kind, m.start(2), m.end(2)


def credential_pairs(text: str, emails: list[tuple[int, int]]) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) of passwords given right after the account they belong to."""
    for s, e in emails:
        q = text[s - 1] if s else ""
        m = None
        if q in _QUOTED_NEXT and text.startswith(q, e):
            m = _QUOTED_NEXT[q].match(text, e)
            if m is None and q == "`":
                m = _PROSE_NEXT.match(text, e + 1)  # Markdown: (`ops@corp.io` / `pw`)
        elif not q or q in " \t:(<[":
            m = _PROSE_NEXT.match(text, e) or _CSV_NEXT.match(text, e)
        if m:
            g = m.lastindex
            kind = _pair_password(m.group(g), bool(m.group(g - 1)))
            # In a list (`"hmac-sha2-256-etm@openssh.com",\n "hmac-sha1"`) only a value that looks like a password.
            listed = q in _QUOTED_NEXT and _LITERAL_BEFORE.search(text, max(0, s - 41), s - 1) and _LITERAL_AFTER.match(text, m.end())
            if kind and (not listed or _unnamed_password_tier(m.group(g)) >= 1):
                yield kind, m.start(g), m.end(g)
    at = text.find(" / ")
    while at != -1:
        a = _ACCOUNT_BEFORE.search(text, max(0, at - 34), at)
        if a and a.group(2).lower() in _ACCOUNT_WORDS:
            m = _PROSE_NEXT.match(text, at)
            if m and m.group(1) in ("", "`") and not text.startswith((" /", "/"), m.end()) and (
                    kind := _pair_password(m.group(2), bool(m.group(1)))):
                yield kind, m.start(2), m.end(2)
        at = text.find(" / ", at + 3)


# HTTP basic auth configured in code: express-basic-auth's `basicAuth({ users: { ops: 'pw' } })`,
# Flower's `basic_auth = ["ops:pw"]`, `--basic-auth=ops:pw`.
_BASIC_AUTH = re.compile(r"(?i)basic[_\-]?auth")
_USERS_MAP = re.compile(r"(?:users['\"]?[ \t]*:[ \t]*|Accounts)\{([^{}]{1,600})\}")  # gin.Accounts{"u": "pw"}
_MAP_ENTRY = re.compile(r"(?:[A-Za-z_][\w\-]*|'[^'\n]{1,64}'|\"[^\"\n]{1,64}\")[ \t]*:[ \t]*(['\"])([^'\"\n\\]{1,128})\1")
_USER_COLON_PW = re.compile(r"(['\"]|=)([A-Za-z][\w.\-]{0,31}):([^\s'\":@/,]{4,128})(?=['\"]|\s|\Z)")


# The name on one line, its value on the next: a Kubernetes container's `env:` list (`- name:
# DB_PASSWORD` / `value: pw`), a CloudFormation parameter marked `NoEcho: true` (its `Default:`).
_ENV_NAME_VALUE = re.compile(
    r"-[ \t]+name:[ \t]*['\"]?([\w.\-]{1,80})['\"]?[ \t]*\r?\n[ \t]+value:[ \t]*(['\"]?)([^\s'\"#]{4,256})\2[ \t]*(?=\r?\n|\Z)"
)
_NO_ECHO_DEFAULT = re.compile(r"NoEcho:[ \t]*['\"]?true['\"]?[ \t]*\r?\n(?:[ \t]+\w+:[^\n]*\n){0,3}?[ \t]+Default:[ \t]*(['\"]?)([^\s'\"#]{4,128})\1[ \t]*(?=\r?\n|\Z)")
# Config directives naming an environment variable: Apache's `SetEnv DB_PASS pw`, nginx's
# `fastcgi_param DB_PASS pw;`, Kafka JAAS's `user_producer="pw"` (PlainLoginModule users),
# SNMP's `snmp-server community pw RO`, wpa_supplicant's `psk="pw"`.
_NAMED_DIRECTIVE = re.compile(
    r"(?i)\b(?:setenv|passenv|fastcgi_param|uwsgi_param|scgi_param|env)[ \t]+([\w.\-]{1,80})[ \t]+(['\"]?)([^\s'\";]{1,128})\2[ \t]*;?[ \t]*(?=\r?\n|\Z)"
)
_DIRECTIVE_LITERALS = (b"setenv ", b"passenv ", b"fastcgi_param ", b"uwsgi_param ", b"scgi_param ", b"\nenv ")
# cloud-init: `chpasswd:` then `list: |` and `user:pw` lines; Redis ACLs: `user app on >pw ~* +@all`.
_CHPASSWD_LIST = re.compile(r"chpasswd:[ \t]*\r?\n(?:[ \t]+[^\n]*\n){0,4}?[ \t]+list:[ \t]*\|[-+]?[ \t]*\r?\n((?:[ \t]+[\w.\-]{1,64}:[^\s]{1,128}[ \t]*(?:\r?\n|\Z))+)")
_CHPASSWD_ROW = re.compile(r"[ \t]+[\w.\-]{1,64}:([^\s]{1,128})")
_REDIS_ACL_USER = re.compile(r"(?im)^[ \t]*(?:ACL[ \t]+SETUSER|user)[ \t]+[\w.\-]{1,64}[ \t]+(?:[^\n>]{0,200}?[ \t])?>([^\s]{1,128})")
_HOST_TOKENS = re.compile(r"(?:\s{0,40}\"[\w.\-:]{1,120}\"[ \t]*:[ \t]*\"[^\"\n]{8,256}\"[ \t]*,?){1,10}\s{0,40}\}")
_SECRETISH = re.compile(rb"(?i)key|token|secret|bearer|auth|salt|pepper|credential|cookie")
_HOST_TOKEN = re.compile(r"\"([\w.\-:]{1,120})\"[ \t]*:[ \t]*\"([^\"\n]{8,256})\"")
_KEY_VALUE_PAIR = re.compile(r"\"key\"[ \t]*:[ \t]*\"([\w.\-]{1,80})\"[ \t]*,\s{0,40}\"value\"[ \t]*:[ \t]*\"([^\"\n]{4,256})\"")
_JAAS_USER = re.compile(r"\buser_[\w.\-]{1,64}[ \t]*=[ \t]*\"([^\"\n]{1,128})\"")
_SNMP_COMMUNITY = re.compile(r"(?i)\bsnmp-server[ \t]+community[ \t]+([^\s'\"]{4,128})")
_PSK = re.compile(r"(?m)^[ \t]*(?:psk|wpa_psk|pre_?shared_?key)[ \t]*[=:][ \t]*(?:\"([^\"\n]{8,63})\"|([0-9a-f]{64})(?=[ \t]*\r?$))")
_NOT_COMMUNITY = frozenset({"public", "private"})


def _named_value(name: str, value: str, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    """A value whose name sits apart from it (another argument, the line before)."""
    if _names_password(name) and not _describing(name):
        if _password_ok(value, True):
            yield "password", start, end
    elif _secret_named(name) and _key_ok(value, "") and not _identifier_like(value) and _random_or_hex(value):
        yield "key", start, end


# Android's `buildConfigField("String", "OWM_API_KEY", "\"7fe1...\"")`; a plist's
# `<key>FacebookClientToken</key>` then `<string>82dd...</string>`.
_ENV_REF_VALUE = re.compile(r"\$\{|\{\{|^var\.|^local\.")
_ORACLE_THIN = re.compile(r"jdbc:oracle:thin:[\w$#]{1,30}/([^@\s'\"/]{1,128})@")
_TF_VARIABLE = re.compile(r"variable[ \t]+\"([\w\-]{1,80})\"[ \t]*\{[^{}]{0,400}?\bdefault[ \t]*=[ \t]*\"([^\"\n]{4,256})\"")
_BUILD_CONFIG_FIELD = re.compile(r"buildConfigField[ \t]*\(?[ \t]*\"[^\"\n]*\"[ \t]*,[ \t]*\"([\w.\-]{1,80})\"[ \t]*,[ \t]*\"\\\"([^\"\\\n]{4,256})\\\"\"")
_PLIST_PAIR = re.compile(r"<key>([\w.\-]{1,80})</key>\s{0,40}<string>([^<\s]{4,256})</string>")


def _line_pair_hits(text: str, view: bytes, lowered: bytes, keyword: bool) -> Iterator[tuple[str, int, int]]:
    """Rules for names and values split over lines or directives. All but the SNMP and Wi-Fi
    ones need a password or secret word in the document: `keyword` says the prefilter saw one."""
    json = text[:64].lstrip()[:1] in ("{", "[")  # rules for JSON documents only
    if b"oracle:thin:" in view:
        for m in _ORACLE_THIN.finditer(text):
            if _password_ok(m.group(1), True):
                yield "password", m.start(1), m.end(1)
    if b'variable "' in view:
        for m in _TF_VARIABLE.finditer(text):
            if not _ENV_REF_VALUE.search(m.group(2)):
                yield from _named_value(m.group(1), m.group(2), m.start(2), m.end(2))
    if b"buildConfigField" in view:
        for m in _BUILD_CONFIG_FIELD.finditer(text):
            yield from _named_value(m.group(1), m.group(2), m.start(2), m.end(2))
    if b"</key>" in view:
        for m in _PLIST_PAIR.finditer(text):
            yield from _named_value(m.group(1), m.group(2), m.start(2), m.end(2))
    if b"snmp-server" in view:
        for m in _SNMP_COMMUNITY.finditer(text):
            if m.group(1).lower() not in _NOT_COMMUNITY and _password_ok(m.group(1), True):
                yield "password", m.start(1), m.end(1)
    if b"psk" in view:
        for m in _PSK.finditer(text):
            g = 1 if m.group(1) is not None else 2
            if _password_ok(m.group(g), True):
                yield "password", m.start(g), m.end(g)
    if (b"\nuser " in view or text.startswith("user ")) and b" >" in view:
        for m in _REDIS_ACL_USER.finditer(text):
            if _password_ok(m.group(1), True):
                yield "password", m.start(1), m.end(1)
    at = view.find(b'": {') if json else -1
    while at != -1:  # `"bearer": { "packages.example.org": "<token>" }` (Composer's auth.json)
        ns = text.rfind('"', max(0, at - 64), at)
        if ns != -1 and _SECRETISH.search(view, ns, at) and _secret_named(text[ns + 1:at]):
            block = _HOST_TOKENS.match(text, at + 4)
            if block:
                for member in _HOST_TOKEN.finditer(text, block.start(), block.end()):
                    if not _names_password(member.group(1)) and not _secret_named(member.group(1)):  # named: its own rules
                        yield from _named_value(text[ns + 1:at], member.group(2), member.start(2), member.end(2))
        at = view.find(b'": {', at + 4)
    if b"<string name=" in view:
        for m in _ANDROID_STRING.finditer(text):
            if not _ENV_REF_VALUE.search(m.group(2)):
                yield from _named_value(m.group(1), m.group(2), m.start(2), m.end(2))
    if not keyword and b"etEnv" not in view and b"etenv" not in view:
        return  # half of all code (by bytes) has no password or secret word: skip the rest
    if b"- name:" in view:
        for m in _ENV_NAME_VALUE.finditer(text):
            name, value = m.group(1), m.group(3)
            if _names_password(name) and not _describing(name):
                if _password_ok(value, bool(m.group(2))):
                    yield "password", m.start(3), m.end(3)
            elif _secret_named(name) and _key_ok(value, "") and _random_or_hex(value):
                yield "key", m.start(3), m.end(3)
    if b"chpasswd" in lowered:
        for m in _CHPASSWD_LIST.finditer(text):
            for row in _CHPASSWD_ROW.finditer(text, m.start(1), m.end(1)):
                if _password_ok(row.group(1), True) and not row.group(1).isalpha():
                    yield "password", row.start(1), row.end(1)
    if b"values" in lowered:
        yield from _sql_insert_hits(text, lowered)
    if b"responder(" in lowered:
        for m in _RESPONDER.finditer(text):
            if "pass" in m.group(2).lower():  # the prompt it answers asks for a password
                if _password_ok(m.group(3), True) and not m.group(3).isalpha():
                    yield "password", m.start(3), m.end(3)
    if b"|" in view:
        yield from _markdown_table_hits(text, lowered)
    if b"static:" in view:
        for m in _POSTFIX_STATIC.finditer(text):
            if _password_ok(m.group(1), True):
                yield "password", m.start(1), m.end(1)
    yield from _csv_hits(text, lowered)
    if json and b'"key"' in view and b'"value"' in view:
        # Postman collections and similar: `"key": "X-Api-Key", "value": "<tok>"`, across lines.
        for m in _KEY_VALUE_PAIR.finditer(text):
            name, value = m.group(1), m.group(2)
            if not _ENV_REF_VALUE.search(value) and not value.startswith("{{"):
                yield from _named_value(name, value, m.start(2), m.end(2))
    if b"NoEcho" in view:
        for m in _NO_ECHO_DEFAULT.finditer(text):
            if _password_ok(m.group(2), True):
                yield "password", m.start(2), m.end(2)
    # Literal finds on the view (a full-text regex or `view.lower()` per document costs more than
    # all of these together); each directive is then matched where it starts.
    for literal in _DIRECTIVE_LITERALS:
        at = lowered.find(literal)
        while at != -1:
            if literal != b"\nenv " or (at := at + 1):
                m = _NAMED_DIRECTIVE.match(text, at)
                if m:
                    name, value = m.group(1), m.group(3)
                    if _names_password(name) and not _describing(name) and _password_ok(value, True) and not value.isalpha():
                        yield "password", m.start(3), m.end(3)
            at = lowered.find(literal, at + len(literal))
    if b"LoginModule" in view:
        for m in _JAAS_USER.finditer(text):
            if _password_ok(m.group(1), True):
                yield "password", m.start(1), m.end(1)


# `user:password` as the value of an auth or credentials setting: yarn's `npmAuthIdent: "ci:pw"`,
# Kafka Connect's `basic.auth.user.info`, `"credentials": "admin:pw"`, `http_auth = 'u:pw'`.
_AUTH_PAIR = re.compile(
    r"[\w.\-]{0,40}['\"]?[ \t]*(?:=>|=|:(?=[ \t'\"])|[ \t]+(?=['\"]))[ \t]*(['\"]?)([\w.@+\-]{1,64}):(?!//)([^\s'\"@:]{1,128})\1(?=[\s,;}\])]|\Z)"
)
_AUTH_PAIR_NAME = re.compile(r"(?i)auth(?!or(?!iz))|credential|user[_.\-]?info|login|userpwd")


def _auth_pair_hits(text: str, lowered: bytes) -> Iterator[tuple[str, int, int]]:
    for literal in (b"uth", b"redential", b"ogin"):
        at = lowered.find(literal)
        while at != -1:
            m = _AUTH_PAIR.match(text, at)  # from inside the name: its rest, a separator, `user:pw`
            if m and _AUTH_PAIR_NAME.search(name := _name_at(text, at, m.start(1))):
                value = m.group(3)
                if not _describing(name) and not _HASH_NAME.search(name) and not _HASH_PREFIX.search(m.group(2) + ":") and (
                        _password_ok(value, True)) and not value.isalpha() and not (
                        value.isdigit() or _VERSIONISH.fullmatch(value)):
                    # an API key's secret after its id (Kafka Connect's `basic.auth.user.info`)
                    kind = "key" if len(value) >= 40 and _random_enough(value) else "password"
                    yield kind, m.start(3), m.end(3)
            at = lowered.find(literal, at + len(literal))


# Values in a column a header names: `INSERT INTO users (id, email, password) VALUES (1, 'a@b.io',
# 'pw'), (...)`, a CSV fixture under `id,email,password,last_login`.
_SQL_INSERT = re.compile(r"(?i)insert[ \t]+into[ \t]+[`\"\[]?[\w.]{1,64}[`\"\]]?[ \t]*\(([^()\n]{1,400})\)\s{0,40}values\s{0,40}")
_SQL_VALUE = re.compile(r"\s{0,40}('(?:[^'\\\n]|\\.|''){0,256}'|\"(?:[^\"\\\n]|\\.){0,256}\"|[^,()'\"\s]{1,64}(?:\([^()\n]{0,64}\))?)\s{0,40}([,)])")
_SQL_NEXT_ROW = re.compile(r"\s{0,40},\s{0,40}(?=\()")
_CSV_FIELD = re.compile(r"[A-Za-z_][\w .\-]{0,40}")


def _column_password(name: str, value: str) -> bool:
    return _names_password(name) and not _describing(name) and _password_ok(value, True) and not value.isalpha()


def _sql_insert_hits(text: str, lowered: bytes) -> Iterator[tuple[str, int, int]]:
    at = lowered.find(b"insert")
    while at != -1:
        m = _SQL_INSERT.match(text, at)
        at = lowered.find(b"insert", at + 6)
        if m is None:
            continue
        cols = [c.strip().strip("`\"[]") for c in m.group(1).split(",")]
        wanted = [i for i, c in enumerate(cols) if _names_password(c) and not _describing(c)]
        pos = m.end()
        for _ in range(1000 if wanted else 0):  # rows
            if not text.startswith("(", pos):
                break
            pos, cells = pos + 1, []
            while (v := _SQL_VALUE.match(text, pos)) is not None:
                cells.append(v.span(1))
                pos = v.end()
                if v.group(2) == ")":
                    break
            if len(cells) == len(cols):
                for i in wanted:
                    s, e = cells[i]
                    if text[s] in "'\"" and _column_password(cols[i], text[s + 1:e - 1]):
                        yield "password", s + 1, e - 1
            nxt = _SQL_NEXT_ROW.match(text, pos)
            if nxt is None:
                break
            pos = nxt.end()


# `<string name="google_maps_key">AIza...</string>` (Android resources); Fabric's
# `Responder(pattern=r"\[sudo\] password:", response="pw\n")`.
_ANDROID_STRING = re.compile(r"<string[ \t]+name=\"([\w.\-]{1,80})\"[^>\n]{0,80}>([^<\s]{8,256})</string>")
_RESPONDER = re.compile(r"Responder\([ \t]*(?:pattern[ \t]*=[ \t]*)?r?(['\"])([^'\"\n]{1,120})\1[ \t]*,[ \t]*(?:response[ \t]*=[ \t]*)?(?:['\"])([^'\"\n\\]{1,128})(?:\\n)?['\"]")
_MD_NAME_VALUE_ROW = re.compile(r"\|?[ \t]*\**`?([A-Za-z][\w .\-]{0,30}?)`?\**[ \t]*\|[ \t]*(`?)([^\s|`]{4,128})`?[ \t]*\|?")
_MD_RULE = re.compile(r"[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*\r?$")
# Postfix: `smtp_sasl_password_maps = static:user@host:pw`.
_POSTFIX_STATIC = re.compile(r"password_maps[ \t]*=[ \t]*static:[^\s:]{1,128}:(\S{1,128})")


def _markdown_table_hits(text: str, lowered: bytes) -> Iterator[tuple[str, int, int]]:
    """A Markdown table whose header names a password column: `| Email | Password |`."""
    for literal in (b"pass", b"pwd"):
        at = lowered.find(literal)
        while at != -1:
            ls = text.rfind("\n", 0, at) + 1
            le = text.find("\n", at)
            le = len(text) if le == -1 else le
            at = lowered.find(literal, le)
            header = text[ls:le].strip()
            if header.count("|") < 2:
                continue
            row = _MD_NAME_VALUE_ROW.fullmatch(header)
            if row and _names_password(row.group(1)) and not _describing(row.group(1)):
                value = row.group(3)
                start = ls + text[ls:le].index(row.group(2) + value) + len(row.group(2))
                if _column_password(row.group(1), value):
                    yield "password", start, start + len(value)  # a two-column table: `| password | pw |`
                continue
            rule_end = text.find("\n", le + 1)
            rule_end = len(text) if rule_end == -1 else rule_end
            if le >= len(text) or not _MD_RULE.match(text[le + 1:rule_end]):
                continue
            fields = [f.strip().strip("`*") for f in header.strip("|").split("|")]
            wanted = [i for i, f in enumerate(fields) if _names_password(f) and not _describing(f)]
            pos = rule_end + 1
            while wanted and pos < len(text):
                row_end = text.find("\n", pos)
                row_end = len(text) if row_end == -1 else row_end
                row = text[pos:row_end]
                if "|" not in row:
                    break
                lead = len(row) - len(row.lstrip())
                body = row.strip()
                offset = pos + lead + (1 if body.startswith("|") else 0)
                cells = (body[1:] if body.startswith("|") else body).split("|")
                for i in wanted:
                    if i < len(cells):
                        cell = cells[i]
                        start = offset + sum(len(c) + 1 for c in cells[:i])
                        value = cell.strip()
                        start += len(cell) - len(cell.lstrip())
                        if len(value) > 2 and value[0] == value[-1] == "`":
                            value, start = value[1:-1], start + 1
                        if _column_password(fields[i], value):
                            yield "password", start, start + len(value)
                pos = row_end + 1


def _csv_hits(text: str, lowered: bytes) -> Iterator[tuple[str, int, int]]:
    """A CSV file (or sheet) whose first line, its header, names a password column."""
    le = text.find("\n")
    le = len(text) if le == -1 else le
    header = text[:le].rstrip("\r")
    if (b"pass" not in lowered[:le] and b"pwd" not in lowered[:le]) or not any(c in header for c in ",\t;"):
        return
    sep = max((",", "\t", ";"), key=header.count)
    fields = [f.strip().strip("\"'") for f in header.split(sep)]
    if len(fields) < 3 or not all(_CSV_FIELD.fullmatch(f) for f in fields):
        return
    wanted = [i for i, f in enumerate(fields) if _names_password(f) and not _describing(f)]
    pos = le + 1
    while wanted and pos < len(text):
        row_end = text.find("\n", pos)
        row_end = len(text) if row_end == -1 else row_end
        cells = text[pos:row_end].rstrip("\r").split(sep)
        if len(cells) != len(fields):
            break
        starts = [pos]
        for c in cells[:-1]:
            starts.append(starts[-1] + len(c) + 1)
        for i in wanted:
            raw = cells[i]
            s = starts[i] + len(raw) - len(raw.lstrip())
            value = raw.strip()
            if len(value) > 2 and value[0] == value[-1] and value[0] in "\"'":
                value, s = value[1:-1], s + 1
            if _column_password(fields[i], value):
                yield "password", s, s + len(value)
        pos = row_end + 1


def _basic_auth_hits(text: str) -> Iterator[tuple[str, int, int]]:
    for hit in _BASIC_AUTH.finditer(text):
        end = min(len(text), hit.end() + 400)
        line_end = text.find("\n", hit.end())
        line_end = len(text) if line_end == -1 else line_end
        m = _USERS_MAP.search(text, hit.end(), end)
        if m:
            for e in _MAP_ENTRY.finditer(text, m.start(1), m.end(1)):
                if _password_ok(e.group(2), True) and not e.group(2).isalpha():
                    yield "password", e.start(2), e.end(2)
        for m in _USER_COLON_PW.finditer(text, hit.end(), line_end):
            value = m.group(3)
            if _password_ok(value, True) and not value.isalpha() and not value.isdigit():
                yield "password", m.start(3), m.end(3)


# Tokens that stand in password slots: Docker Hub PATs, Grafana Cloud tokens, Bitbucket app
# tokens, base64 (`.npmrc`'s `_password`, a Kubernetes Secret's `data:`).
_TOKEN_IN_PASSWORD_SLOT = re.compile(r"(?:dckr_pat_|glc_|glsa_|CLOJARS_|pscale_(?:pw|tkn)_|cmVmdGtuOjAxOj|ATBB|xsmtpsib-|xkeysib-|ghp_|gho_|ghs_|glpat-|npm_|hf_|xox[bpa]-)[A-Za-z0-9_\-+/=]{16,}|11[0-9a-f]{32}\Z")
_AWS_ID_BEFORE = re.compile(r"(?<![A-Za-z0-9])A[KS]IA[A-Z0-9]{16}:\Z")
_PADDED_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4}){2,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)")


_PATH_VALUE = re.compile(r"(?:[a-z][a-z0-9._\-]*/)+")
_PUBLIC_BEFORE = re.compile(r"(?i)pub(?:lic)?[ _\-]?(?:[a-z]{1,8}[ _\-]?)?key\w*[^\n]{0,60}\Z")  # `publicSDKKey = "appl_..."`
_JWT_SIGNATURE = re.compile(r"[A-Za-z0-9_\-]{16,}={0,2}")
_QUERY_REST = re.compile(r"&[\w.\-]+=")
_IDENTIFIER_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*[(:)]*")
_WORDISH = re.compile(r"[A-Z]?[a-z]{2,}|[A-Z]{2,}(?![a-z])|\d+")


def _identifier_like(value: str) -> bool:
    """`rfc3447.RSAPrivateKey`, `Qwen2_5OmniToken2WavBigVGANModel`, `encryptionKeySha256`,
    `Base64SecretBundleContentDetails`: names of code, made of words (two or more lowercase
    ones). A random token is made of fragments: unpronounceable runs, or no lowercase words at
    all (`AKIAT4WN6ISIGQ8JTGEV`)."""
    if not _IDENTIFIER_PATH.fullmatch(value) or sum(c.isdigit() for c in value) > 0.25 * len(value):
        return False
    letters = sum(c.isalpha() for c in value)
    lower_words = worded = 0
    for w in _WORDISH.findall(value):
        if w.isdigit() or _CONSONANT_RUN.search(w.lower()):
            continue
        if w[-1].islower():
            if (len(w) <= 14 and any(c in "aeiou" for c in w.lower())) or w.lower() in _ABBREVIATIONS:
                worded += len(w)
                lower_words += 1
        elif len(w) <= 4 or any(c in "AEIOU" for c in w):
            worded += len(w)
    return lower_words >= 2 and worded >= 0.85 * letters


_CONSONANT_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}")
_ABBREVIATIONS = frozenset("rfc ctx cls msg str num pw db url rsa dsa ssl tls xml sql http dns pwd cfg src dst "
                           "tmp fn std lib bytes hpke pkcs kdf mac hmac sha md".split())


def _password_is_key(value: str) -> bool:
    """A value in a password slot that is a token, not something a person chose: a provider
    prefix, or padded base64 of printable text (a Secret's `data:`, npm's `_password`). A long
    random value without a provider's shape stays a password (an AWS SES SMTP password): the slot
    decides, as the labelling policy of the blind sets 10-15 says."""
    if _TOKEN_IN_PASSWORD_SLOT.match(value):
        return True
    for gate, regex in _PROVIDERS_BY_LITERAL:
        if gate in value and regex.fullmatch(value):
            return True  # any provider format of ours: Azure AD secrets (`...8Q~...`), Brevo, Mailgun
    if _PADDED_BASE64.fullmatch(value):
        try:
            raw = base64.b64decode(value, validate=True)
        except (ValueError, binascii.Error):
            return False
        return len(raw) >= 4 and all(32 < b < 127 for b in raw)
    return False


def find_secrets(text: str, view: bytes | None = None) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) for every key and password in `text`; kind is `key` or `password`.
    `view`: text.encode("ascii", "replace"), when the caller has it already."""
    for kind, s, e in _find_secrets(text, view):
        if kind == "password" and (_password_is_key(text[s:e]) or _AWS_ID_BEFORE.search(text, max(0, s - 24), s)):
            kind = "key"  # a token in a password slot; an AWS secret after its `AKIA...:` id
        elif kind == "key" and e - s < 400:
            if text.startswith("eyJ", s) and text[e - 1] == "." and (sig := _JWT_SIGNATURE.match(text, e)):
                e = sig.end()  # a JWT's signature belongs to it
            if text.startswith("eyJ", s) and text.startswith("sk.", s - 3):
                s -= 3  # a Mapbox secret token
            value = text[s:e]
            amp = _QUERY_REST.search(value)
            if amp:  # `oauth_token_secret=qwe0892&oauth_callback=...`: the value ends at `&`
                e = s + amp.start()
                value = text[s:e]
            if _identifier_like(value.lstrip("(")) or _PATH_VALUE.fullmatch(value) or value.startswith(_NOT_SECRET_PREFIXES) or (
                    s and text[s - 1].isalnum() and e < len(text) and text[e].isalnum()) or (
                    _PUBLIC_BEFORE.search(text, max(0, s - 40), s)) or text.startswith("pk.", max(0, s - 3)) or value.startswith("pk.eyJ"):
                continue  # `rfc3447.RSAPrivateKey`, `encryptionKeySha256`, `resource/v2.1/`, AKIA inside a font's base64
        yield kind, s, e


def _find_secrets(text: str, view: bytes | None = None) -> Iterator[tuple[str, int, int]]:
    if "-----BEGIN" in text:
        for m in _PRIVATE_KEY.finditer(text):
            if _BASE64_RUN.search(m.group(0)):
                yield "key", m.start(), m.end()
    plugins = provider_plugins()
    view = view if view is not None else text.encode("ascii", "replace")
    lowered = view.lower()
    windows = candidate_windows(text, view, lowered)
    # .pgpass lines (`host:port:db:user:password`): in a small file, or where `.pgpass` is named.
    if len(text) <= 8192 or any(flags & PGPASS for _, _, flags in windows):
        yield from _pgpass_hits(text, view)
    if len(text) <= 8192:  # sasl_passwd and ipsec.secrets are small files
        yield from _line_format_hits(text, view)
    at = view.find(b"asic")
    auth_done = False
    while at != -1:
        if not auth_done and (view[at + 4:at + 9].lower() in (b"auth", b"_auth", b"-auth") or view[at + 4:at + 8].lower() == b"auth"):
            yield from _basic_auth_hits(text)
            auth_done = True
        elif view[at - 1:at] == b"B" and view[at + 4:at + 5] == b" ":
            # `Basic <base64 of user:pw>` (base64 without a digit is no token run for the prefilter)
            m = _BEARER.match(text, at - 1)
            if m and _basic_credentials(m.group(2)):
                yield "key", m.start(2), m.end(2)
        at = view.find(b"asic", at + 4)
    yield from _line_pair_hits(text, view, lowered, any(flags & KEYWORD for _, _, flags in windows))
    yield from _user_then_password(text, view)
    yield from _auth_pair_hits(text, lowered)
    for ws, we, flags in windows:
        window = text[ws:we]
        if flags & TOKEN:
            lw = window.lower()
            for _, gate, regexes in plugins:
                if gate(window, lw):
                    for regex in regexes:
                        for m in regex.finditer(window):
                            s, e = _span(m)
                            if e - s >= 8 and not _token_placeholder(window[s:e]) and not _ACCOUNT_SID.fullmatch(window[s:e]):
                                yield "key", ws + s, ws + e
            ran = set()
            for gate, regex in _PROVIDERS_BY_LITERAL:
                if gate in window and regex not in ran:
                    ran.add(regex)
                    for m in regex.finditer(window):
                        if not _token_placeholder(m.group(0)):
                            g = m.lastindex or 0  # the key's group, where the match holds more
                            yield "key", ws + m.start(g), ws + m.end(g)
            for gate, regex in _PROVIDERS_BY_REGEX:
                if gate.search(window):
                    for m in regex.finditer(window):
                        if not _token_placeholder(m.group(0)):
                            g = m.lastindex or 0  # the key's group, where the match holds more
                            yield "key", ws + m.start(g), ws + m.end(g)
            yield from _entropy_hits(window, ws)
        if flags & TOKEN and "eyJ" in window:
            for m in _B64_JSON.finditer(window):
                if _encoded_credentials(m.group(0)):
                    yield "key", ws + m.start(), ws + m.end()  # `.dockerconfigjson: eyJhdXRocyI6...`
        if flags & (TOKEN | QUERY) and "=" in window:
            for m in _QUERY_KEY.finditer(window):
                value = m.group(1)
                if _key_ok(value, window) and not _token_placeholder(value) and (
                    _HEX.calculate_shannon_entropy(value) > 3.0 if value.strip("0123456789abcdefABCDEF") == ""
                    else _BASE64.calculate_shannon_entropy(value) > 3.5
                ):
                    yield "key", ws + m.start(1), ws + m.end(1)
        if flags & KEYWORD:
            lowered = view[ws:we].lower()
            yield from _keyword_hits(window, lowered, ws)
            if b"password" in lowered or b"secret" in lowered or b" key " in lowered:
                yield from _netrc_hits(text, window, ws)
            yield from _directive_hits(text, window, ws)
            yield from _named_form_hits(window, lowered, ws)
            if b"define" in lowered and not flags & DEFINE:
                yield from _define_hits(window, ws)  # `#define WIFI_PASSWORD "..."`
        if flags & DEFINE:
            yield from _define_hits(window, ws)
        if flags & CALL:
            # Calls continue on the next lines (`DBI->connect($dsn,\n "user", "pw")`).
            yield from _positional_hits(window, text[ws:min(len(text), we + 240)], ws)
        if flags & URL:
            for regex in (*BasicAuthDetector.denylist, _URL_CREDENTIALS, _CLI_CREDENTIALS):
                for m in regex.finditer(window):
                    if _SENTRY_SECRET.fullmatch(m.group(1)) and _SENTRY_PUBLIC.search(window, max(0, m.start(1) - 34), m.start(1)):
                        # A Sentry DSN's `public:secret@`: the secret half is an API key.
                        yield "key", ws + m.start(1), ws + m.end(1)
                    elif _password_ok(m.group(1), True) and not (len(m.group(1)) <= 4 and m.group(1).isalpha()) and not (
                            window[max(0, m.start(1) - len(m.group(1)) - 1):m.start(1)] in (m.group(1) + ":", "/" + m.group(1)[:-1] + ":")
                            and m.group(1).isalpha()) and not (
                            ":" in m.group(1) and (window[m.start(1) - 2:m.start(1)] == "/:" or "," in m.group(1))):
                        # not `cvs://:pserver:anoncvs@host`; `cloudinary://<api key>:<api secret>@cloud` holds a key
                        kind = "key" if "cloudinary://" in window[max(0, m.start(1) - 48):m.start(1)] else "password"
                        yield kind, ws + m.start(1), ws + m.end(1)
            if "auth=" in window:
                for m in _QUERY_AUTH.finditer(window):
                    value = m.group(1)
                    if _password_ok(value, True) and not value.isalpha():
                        kind = "key" if len(value) >= 32 and _random_enough(value) else "password"
                        yield kind, ws + m.start(1), ws + m.end(1)
            if "@" in window:
                for m in _BARE_CREDENTIALS.finditer(window):
                    user, value, host = m.group(1), m.group(2), m.group(3)
                    if (
                        user.lower() not in _MAIL_USERS
                        and re.search(r"[A-Za-z]", host)
                        and (m.group(4) or not _EMAIL_LOCAL.fullmatch(value) or ("." not in host and not value.isalpha()))
                        and _password_ok(value, True)
                        and not _VERSIONISH.fullmatch(value)
                    ):
                        yield "password", ws + m.start(2), ws + m.end(2)
            for regex in _CLI_PASSWORDS:
                for m in regex.finditer(window):
                    quoted = m.lastindex == 2 and bool(m.group(1))
                    value = m.group(m.lastindex)
                    if _password_ok(value, quoted) and not value.isdigit():
                        yield "password", ws + m.start(m.lastindex), ws + m.end(m.lastindex)

