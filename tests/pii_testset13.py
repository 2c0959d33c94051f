"""Blind labelled test set 13 for the PII/secret scrubber.

About ninety documents that imitate files from a crawl of permissively licensed GitHub
repositories (The Stack), kept the way a code-LLM corpus keeps them: only files that hold at
least one secret or a realistic hard negative. Half are written in the most common languages
(Python, JavaScript/TypeScript, Java, C#, PHP, Go, C/C++, Ruby, shell) the way hobbyists and
less experienced developers write them (bots, scrapers, homework, one-file apps, snippets,
commented-out lines, test fixtures); the other half come from the long tail (Kotlin, Swift,
Rust, Scala, Dart, Elixir, Haskell, Lua, Perl, R, Julia, Groovy, PowerShell, Objective-C,
VB.NET, F#, Clojure, SQL) and from config/infra/data formats (YAML, JSON, TOML, INI, XML,
.properties, .env, HCL, Dockerfile, Makefile, nginx/haproxy/systemd, cron, notebooks,
Markdown, reStructuredText, CSV, SQL dumps, logs, mail headers). A few documents hold hard
negatives only. The set was written blind: without reading the scrubber or the other sets.

Planted secrets are written ``⟦kind|value⟧`` in the templates; ``_parse`` strips the markers
and records the spans. Every secret value (and most negatives) is drawn from a
``random.Random`` seeded from the set's seed and the document's name, so the set is
deterministic for a given seed and every seed gives other values.

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

Additionally: a span covers exactly the value (not the quotes, not ``user:``, not the port); for
``Authorization: Basic <base64>`` the base64 is a ``key``; a Slack webhook is spanned from the
``T...`` team id to the end of its path.

Run ``python -m tests.pii_testset13`` to self-check the set and print its counts.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import random
import re
import string
import textwrap
import uuid
from collections import Counter

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 1313

# --------------------------------------------------------------------------------------------
# markers and templating
# --------------------------------------------------------------------------------------------


def E(v: str) -> str:
    return f"⟦email|{v}⟧"


def IP(v: str) -> str:
    return f"⟦ip_address|{v}⟧"


def K(v: str) -> str:
    return f"⟦key|{v}⟧"


def P(v: str) -> str:
    return f"⟦password|{v}⟧"


_SLOT = re.compile(r"«(\w+)»")


def T(template: str, **kw: object) -> str:
    """Dedent a template and fill its «name» slots (no brace escaping needed)."""
    text = textwrap.dedent(template).lstrip("\n")

    def sub(m: re.Match) -> str:
        if m.group(1) not in kw:
            raise KeyError(f"template slot «{m.group(1)}» not filled")
        return str(kw[m.group(1)])

    return _SLOT.sub(sub, text)


def F(text: str, **kw: object) -> str:
    """Fill «name» slots without dedenting (for generated fragments)."""
    return _SLOT.sub(lambda m: str(kw[m.group(1)]), text)


# --------------------------------------------------------------------------------------------
# random building blocks
# --------------------------------------------------------------------------------------------

LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
DIGITS = string.digits
ALPHA = LOWER + UPPER
ALNUM = ALPHA + DIGITS
HEX = "0123456789abcdef"
UPNUM = UPPER + DIGITS
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"


def s(r: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


def hexs(r: random.Random, n: int) -> str:
    return s(r, n, HEX)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def uuid4(r: random.Random) -> str:
    return str(uuid.UUID(int=r.getrandbits(128), version=4))


def sha256hex(r: random.Random) -> str:
    return hashlib.sha256(str(r.random()).encode()).hexdigest()


def sha1hex(r: random.Random) -> str:
    return hashlib.sha1(str(r.random()).encode()).hexdigest()


def md5hex(r: random.Random) -> str:
    return hashlib.md5(str(r.random()).encode()).hexdigest()


def bcrypt_hash(r: random.Random) -> str:
    return f"$2b$12${s(r, 53, ALNUM + './')}"


# --------------------------------------------------------------------------------------------
# people and mailboxes
# --------------------------------------------------------------------------------------------

FIRST = [
    "james", "maria", "wei", "fatima", "lucas", "olga", "raj", "sofia", "mehmet", "aiko",
    "daniel", "chloe", "ivan", "priya", "tomasz", "lena", "kwame", "ana", "jonas", "yuki",
    "omar", "emma", "diego", "sara", "nikolai", "hana", "pedro", "julia", "amir", "ines",
    "kevin", "laura", "minh", "zoe", "felix", "nadia", "arjun", "clara", "bogdan", "mia",
]
LAST = [
    "smith", "garcia", "zhang", "khan", "silva", "petrova", "patel", "rossi", "yilmaz",
    "tanaka", "mueller", "dubois", "novak", "sharma", "kowalski", "jensen", "mensah", "costa",
    "berg", "sato", "haddad", "wilson", "lopez", "cohen", "ivanov", "kim", "santos", "weber",
    "rahman", "moreau", "nguyen", "fischer", "okafor", "lindqvist", "brennan", "horvat",
]
FREEMAIL = [
    "gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "protonmail.com", "icloud.com",
    "gmx.de", "yandex.ru", "mail.ru", "qq.com", "163.com", "web.de", "orange.fr", "libero.it",
    "naver.com", "hotmail.co.uk", "yahoo.co.jp", "uol.com.br", "live.com", "aol.com",
    "seznam.cz", "wp.pl", "rediffmail.com", "t-online.de",
]
_W1 = [
    "bright", "north", "blue", "iron", "quick", "silver", "green", "red", "cloud", "pixel",
    "urban", "swift", "alpine", "coral", "delta", "ember", "harbor", "lumen", "maple", "nova",
    "orbit", "prairie", "river", "stone", "tidal", "vertex", "willow", "zen", "cobalt", "fern",
]
_W2 = [
    "lane", "forge", "labs", "works", "soft", "data", "logic", "media", "systems", "cart",
    "hub", "stack", "wave", "point", "ware", "craft", "byte", "line", "nest", "path",
]
TLDS = [
    "com", "io", "dev", "co", "net", "org", "de", "fr", "co.uk", "com.au", "app", "tech",
    "ai", "eu", "nl", "ch", "se", "in", "jp", "pl", "es", "it", "ca", "com.br", "cz", "no",
]


def person(r: random.Random) -> tuple[str, str]:
    return r.choice(FIRST), r.choice(LAST)


def company_domain(r: random.Random) -> str:
    return f"{r.choice(_W1)}{r.choice(_W2)}.{r.choice(TLDS)}"


def email(r: random.Random, domain: str | None = None, style: str | None = None) -> str:
    first, last = person(r)
    style = style or r.choice(["dot", "plain", "initial", "num", "under", "first"])
    local = {
        "dot": f"{first}.{last}",
        "plain": f"{first}{last}",
        "initial": f"{first[0]}{last}",
        "num": f"{first}{last[:3]}{r.randint(1, 99)}",
        "under": f"{first}_{last}",
        "first": first,
    }[style]
    if domain is None:
        domain = r.choice(FREEMAIL) if r.random() < 0.5 else company_domain(r)
    return f"{local}@{domain}"


def role_email(r: random.Random, role: str, domain: str | None = None) -> str:
    return f"{role}@{domain or company_domain(r)}"


# --------------------------------------------------------------------------------------------
# addresses
# --------------------------------------------------------------------------------------------

RESOLVERS = {
    "8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
    "208.67.222.222", "208.67.220.220", "4.2.2.1", "4.2.2.2", "64.6.64.6", "64.6.65.6",
    "94.140.14.14", "94.140.15.15", "76.76.19.19", "185.228.168.9",
    "2001:4860:4860::8888", "2001:4860:4860::8844", "2606:4700:4700::1111",
    "2606:4700:4700::1001", "2620:fe::fe", "2620:fe::9",
}
_CLOUD_FIRST = [
    3, 13, 18, 23, 34, 35, 37, 45, 46, 49, 50, 51, 52, 54, 62, 64, 66, 68, 78, 79, 80, 81, 82,
    85, 87, 88, 89, 91, 93, 94, 95, 104, 107, 109, 116, 128, 134, 137, 138, 139, 141, 142, 143,
    144, 145, 146, 147, 152, 157, 158, 159, 161, 162, 164, 165, 167, 170, 176, 178, 185, 188,
    193, 194, 195, 199, 206, 209, 212, 213, 216, 217,
]


def is_public(addr: str) -> bool:
    ip = ipaddress.ip_address(addr)
    return ip.is_global and not ip.is_multicast and addr not in RESOLVERS and str(ip) not in RESOLVERS


def ip4(r: random.Random) -> str:
    while True:
        a = f"{r.choice(_CLOUD_FIRST)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        if is_public(a):
            return a


_V6_PREFIX = [
    "2a01:4f8", "2001:41d0", "2600:1f18", "2a03:b0c0", "2604:a880", "2a05:d014", "2406:da18",
    "2001:19f0", "2a02:c207", "2600:3c03", "2a00:1450", "2603:1030",
]


def ip6(r: random.Random) -> str:
    while True:
        pre = r.choice(_V6_PREFIX)
        groups = [f"{r.randint(0, 0xFFFF):x}" for _ in range(2)]
        tail = [f"{r.randint(1, 0xFFFF):x}" for _ in range(r.choice([1, 2, 4]))]
        text = f"{pre}:{':'.join(groups)}::{':'.join(tail)}" if len(tail) < 4 else (
            f"{pre}:{':'.join(groups)}:{':'.join(tail)}")
        addr = ipaddress.IPv6Address(text).compressed
        if is_public(addr):
            return addr


def priv_ip(r: random.Random) -> str:
    return r.choice([
        f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
        f"192.168.{r.randint(0, 10)}.{r.randint(2, 254)}",
        f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
    ])


# --------------------------------------------------------------------------------------------
# passwords
# --------------------------------------------------------------------------------------------

PWWORDS = [
    "Summer", "Winter", "Dragon", "Monkey", "Sunshine", "Falcon", "Tiger", "Maple", "Coffee",
    "Rocket", "Shadow", "Panther", "Galaxy", "Thunder", "Phoenix", "Pepper", "Orange", "Silver",
    "Jordan", "Luna", "Buster", "Cookie", "Mustang", "Pirate", "Viking", "Ninja", "Hockey",
    "Chelsea", "Sparky", "Bailey", "Ginger", "Snoopy", "Matrix", "Horizon", "Nebula", "Cactus",
    "Walrus", "Kiwi", "Mango", "Bandit", "Zelda", "Mario", "Hunter", "Ranger", "Gizmo", "Otter",
]
_LEET = {"a": "4", "e": "3", "o": "0", "i": "1", "s": "$"}


def pw_human(r: random.Random, syms: str = "!#*.-_") -> str:
    w = r.choice(PWWORDS)
    w2 = r.choice(PWWORDS)
    sym = r.choice(syms) if syms else ""
    year = str(r.choice([r.randint(1970, 2025), r.randint(10, 99), r.randint(100, 9999)]))
    shape = r.randrange(7)
    if shape == 0:
        out = f"{w}{year}{sym}"
    elif shape == 1:
        out = f"{w.lower()}{r.randint(1, 9)}{w2.lower()[:r.randint(2, 4)]}"
    elif shape == 2:
        leet = "".join(_LEET.get(c, c) if r.random() < 0.6 else c for c in (w + w2).lower())
        out = f"{leet[0].upper()}{leet[1:]}{sym}{r.randint(1, 99)}"
    elif shape == 3:
        out = f"{w}{w2}{r.randint(1, 999)}"
    elif shape == 4:
        out = f"{w}{sym}{year}"
    elif shape == 5:
        out = f"{w.lower()}_{w2.lower()}{r.randint(1, 99)}"
    else:
        out = f"{w[:3]}{sym}{r.randint(10, 99)}{w2.lower()[:4]}{sym}"
    if "$" in out and "$" not in syms:
        out = out.replace("$", "5")
    return out


def pw_random(r: random.Random, n: int | None = None, syms: str = "!#*.-_%+") -> str:
    n = n or r.randint(10, 16)
    while True:
        out = s(r, n, ALNUM + syms)
        if any(c.isdigit() for c in out) and any(c.isupper() for c in out) and out[0] not in "-.#!":
            return out


def pw(r: random.Random, syms: str = "!#*.-_") -> str:
    """Mostly human-made, sometimes random, occasionally a long random one."""
    x = r.random()
    if x < 0.6:
        return pw_human(r, syms)
    if x < 0.9:
        return pw_random(r, None, syms)
    return pw_random(r, r.randint(24, 32), "")


# --------------------------------------------------------------------------------------------
# provider tokens
# --------------------------------------------------------------------------------------------


def aws_akid(r: random.Random, prefix: str = "AKIA") -> str:
    return prefix + s(r, 16, UPPER + "234567")


def aws_secret(r: random.Random) -> str:
    return s(r, 40, B64)


def ghp(r: random.Random, prefix: str = "ghp_") -> str:
    return prefix + s(r, 36)


def github_pat(r: random.Random) -> str:
    return f"github_pat_11{s(r, 20, UPNUM)}_{s(r, 59)}"


def glpat(r: random.Random) -> str:
    return "glpat-" + s(r, 20, ALNUM + "-_")


def slack_bot(r: random.Random) -> str:
    return f"xoxb-{r.randint(10**10, 10**12)}-{r.randint(10**12, 10**13)}-{s(r, 24)}"


def slack_user(r: random.Random) -> str:
    return f"xoxp-{r.randint(10**10, 10**12)}-{r.randint(10**10, 10**12)}-{r.randint(10**12, 10**13)}-{hexs(r, 32)}"


def slack_app(r: random.Random) -> str:
    return f"xapp-1-A{s(r, 10, UPNUM)}-{r.randint(10**12, 10**13)}-{hexs(r, 64)}"


def slack_hook_path(r: random.Random) -> str:
    return f"T{s(r, r.choice([8, 9, 10]), UPNUM)}/B{s(r, r.choice([8, 10, 11]), UPNUM)}/{s(r, 24)}"


def stripe(r: random.Random, prefix: str = "sk_live_") -> str:
    return prefix + (s(r, 24) if r.random() < 0.4 else "51" + s(r, 97))


def sendgrid(r: random.Random) -> str:
    return f"SG.{s(r, 22, B64URL)}.{s(r, 43, B64URL)}"


def mailgun(r: random.Random) -> str:
    return "key-" + hexs(r, 32)


def npm_tok(r: random.Random) -> str:
    return "npm_" + s(r, 36)


def pypi_tok(r: random.Random) -> str:
    return "pypi-AgEIcHlwaS5vcmc" + s(r, r.randint(130, 170), B64URL)


def openai_key(r: random.Random) -> str:
    if r.random() < 0.5:
        return f"sk-{s(r, 20)}T3BlbkFJ{s(r, 20)}"
    return f"sk-proj-{s(r, 74, B64URL)}T3BlbkFJ{s(r, 74, B64URL)}"


def anthropic_key(r: random.Random) -> str:
    return f"sk-ant-api03-{s(r, 93, B64URL)}AA"


def hf_tok(r: random.Random) -> str:
    return "hf_" + s(r, 34, ALPHA)


def google_key(r: random.Random) -> str:
    return "AIzaSy" + s(r, 33, B64URL)


def discord_tok(r: random.Random) -> str:
    uid = str(r.randint(4 * 10**17, 13 * 10**17))
    return f"{b64url(uid.encode())}.{s(r, 6, B64URL)}.{s(r, 38, B64URL)}"


def telegram_tok(r: random.Random) -> str:
    return f"{r.randint(5 * 10**8, 7 * 10**9)}:AA{s(r, 33, B64URL)}"


def jwt(r: random.Random, alg: str = "HS256", **claims: object) -> str:
    header = b64url(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    body = {"sub": str(r.randint(1000, 999999)), "iat": r.randint(1_600_000_000, 1_720_000_000)}
    body.update(claims)
    payload = b64url(json.dumps(body, separators=(",", ":")).encode())
    sig = s(r, 43 if alg.startswith("HS") else 342, B64URL)
    return f"{header}.{payload}.{sig}"


_PEM_HEAD = {
    "RSA PRIVATE KEY": ("MIIEpAIBAAKCAQEA", 1588),
    "EC PRIVATE KEY": ("MHcCAQEEI", 164),
    "OPENSSH PRIVATE KEY": ("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", 380),
    "PRIVATE KEY": ("MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQ", 1620),
    "DSA PRIVATE KEY": ("MIIBuwIBAAKBgQ", 588),
}


def pem(r: random.Random, kind: str = "RSA PRIVATE KEY", sep: str = "\n", short: bool = False) -> str:
    head, n = _PEM_HEAD[kind]
    if short and kind in ("RSA PRIVATE KEY", "PRIVATE KEY"):
        head, n = ("MIICXAIBAAKBgQ" if kind == "RSA PRIVATE KEY" else "MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGB"), 812
    body = head + s(r, n - len(head), B64)
    if kind != "OPENSSH PRIVATE KEY":
        body = body[: len(body) - len(body) % 4 - 1] + "="
    width = 70 if kind == "OPENSSH PRIVATE KEY" else 64
    lines = [body[i:i + width] for i in range(0, len(body), width)]
    return sep.join([f"-----BEGIN {kind}-----", *lines, f"-----END {kind}-----"])


def public_pem(r: random.Random, kind: str = "PUBLIC KEY", sep: str = "\n") -> str:
    head = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" if kind == "PUBLIC KEY" else "MIIDdzCCAl+gAwIBAgIE"
    body = head + s(r, (392 if kind == "PUBLIC KEY" else 1200) - len(head), B64)
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return sep.join([f"-----BEGIN {kind}-----", *lines, f"-----END {kind}-----"])


def ssh_pub(r: random.Random, comment: str) -> str:
    if r.random() < 0.5:
        return f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{s(r, 43, B64)} {comment}"
    return f"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ{s(r, 338, B64)} {comment}"


def azure_account_key(r: random.Random) -> str:
    return s(r, 86, B64) + "=="


def twilio_key_sid(r: random.Random) -> str:
    return "SK" + hexs(r, 32)


def shopify_tok(r: random.Random, prefix: str = "shpat_") -> str:
    return prefix + hexs(r, 32)


def square_tok(r: random.Random) -> str:
    return "EAAA" + s(r, 60, B64URL)


def do_tok(r: random.Random) -> str:
    return "dop_v1_" + hexs(r, 64)


def heroku_tok(r: random.Random) -> str:
    return "HRKU-AA" + s(r, 58, B64URL)


def mapbox_secret(r: random.Random, user: str) -> str:
    return "sk." + b64url(json.dumps({"u": user, "a": s(r, 25, LOWER + DIGITS)}, separators=(",", ":")).encode()) + "." + s(r, 22, B64URL)


def basic_auth(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def b64_secret(r: random.Random, nbytes: int = 32) -> str:
    return base64.b64encode(bytes(r.getrandbits(8) for _ in range(nbytes))).decode()


def wp_salt(r: random.Random) -> str:
    return s(r, 64, ALNUM + "!#$%&()*+,-./:;<=>?@[]^_`{|}~ ").strip().replace(" ", "x")


def django_key(r: random.Random) -> str:
    return "django-insecure-" + s(r, 50, LOWER + DIGITS + "!@#%^&*(-_=+)")


# ============================================================================================
# Part 1: common languages, written the way hobbyists and beginners write them
# ============================================================================================


def d_discord_bot(r):
    tok = discord_tok(r)
    old = discord_tok(r)
    owner = email(r, r.choice(FREEMAIL))
    guild = r.randint(10**17, 10**18)
    return "bot.py", T('''
    # my discord bot lol
    # made by «owner» if it breaks dm me
    import discord
    from discord.ext import commands
    import random
    import asyncio

    intents = discord.Intents.default()
    intents.message_content = True

    bot = commands.Bot(command_prefix="!", intents=intents)

    #TOKEN = "«old»"   # old one got reset
    TOKEN = "«tok»"
    GUILD_ID = «guild»

    answers = ["yes", "no", "maybe", "ask again later", "definitely not"]


    @bot.event
    async def on_ready():
        print(f"Logged in as {bot.user} (ID: {bot.user.id})")
        await bot.change_presence(activity=discord.Game(name="!help"))


    @bot.command()
    async def ping(ctx):
        await ctx.send(f"pong {round(bot.latency * 1000)}ms")


    @bot.command(name="8ball")
    async def eightball(ctx, *, question: str):
        await ctx.send(f"🎱 {random.choice(answers)}")


    @bot.command()
    @commands.has_permissions(manage_messages=True)
    async def clear(ctx, amount: int = 5):
        await ctx.channel.purge(limit=amount + 1)
        msg = await ctx.send(f"deleted {amount} messages")
        await asyncio.sleep(3)
        await msg.delete()


    bot.run(TOKEN)
    ''', owner=E(owner), old=K(old), tok=K(tok), guild=guild)


def d_scraper_login(r):
    user = email(r)
    pw1 = pw(r)
    pip1, pip2 = ip4(r), ip4(r)
    puser = f"{r.choice(FIRST)}{r.randint(10, 99)}"
    ppw = pw_random(r, 12, "")
    cap = hexs(r, 32)
    return "scraper/main.py", T('''
    import requests
    from bs4 import BeautifulSoup
    import csv
    import time

    LOGIN_URL = "https://www.kleinanzeigen-archiv.de/login"
    SEARCH_URL = "https://www.kleinanzeigen-archiv.de/s-fahrraeder/seite:{}"
    CAPTCHA_API_KEY = "«cap»"  # 2captcha.com

    HEADERS = {
        "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                      "(KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36",
        "Accept-Language": "de-DE,de;q=0.9,en;q=0.8",
    }

    # rotating proxies (bought on some forum, might be dead)
    PROXIES = [
        "http://«puser»:«ppw»@«pip1»:3128",
        "http://«pip2»:8080",
    ]

    s = requests.Session()
    s.headers.update(HEADERS)


    def login():
        payload = {"email": "«user»", "password": "«pw1»", "remember": "on"}
        r = s.post(LOGIN_URL, data=payload, proxies={"https": PROXIES[0]})
        print("login", r.status_code)
        return r.ok


    def scrape(pages=5):
        rows = []
        for p in range(1, pages + 1):
            html = s.get(SEARCH_URL.format(p), timeout=20).text
            soup = BeautifulSoup(html, "html.parser")
            for item in soup.select("article.aditem"):
                title = item.select_one("h2").get_text(strip=True)
                price = item.select_one(".aditem-main--middle--price").get_text(strip=True)
                rows.append((title, price))
            time.sleep(2)
        return rows


    if __name__ == "__main__":
        if login():
            data = scrape()
            with open("out.csv", "w", newline="", encoding="utf-8") as f:
                csv.writer(f).writerows(data)
            print(len(data), "rows saved")
    ''', puser=puser, ppw=P(ppw), pip1=IP(pip1), pip2=IP(pip2), user=E(user), pw1=P(pw1), cap=K(cap))


def d_smtp_homework(r):
    sender = email(r, "gmail.com")
    app_pw = s(r, 16, LOWER)
    rcpts = [email(r) for _ in range(2)]
    return "week6/send_report.py", T('''
    """
    CS 101 - Assignment 6
    Send the weekly grade report by email using smtplib.
    """
    import smtplib
    import ssl
    from email.message import EmailMessage
    # from getpass import getpass

    SMTP_SERVER = "smtp.gmail.com"
    PORT = 465
    sender_email = "«sender»"
    # password = getpass("Type your password and press enter: ")
    password = "«app_pw»"  # app password, NOT my real one

    receivers = ["«r0»", "«r1»"]

    grades = {"alice": 91, "bob": 78, "carol": 85, "dave": 66}


    def build_message():
        msg = EmailMessage()
        msg["Subject"] = "Weekly grade report"
        msg["From"] = sender_email
        msg["To"] = ", ".join(receivers)
        lines = [f"{name:<10}{score:>5}" for name, score in grades.items()]
        avg = sum(grades.values()) / len(grades)
        lines.append(f"{'average':<10}{avg:>5.1f}")
        msg.set_content("\\n".join(lines))
        return msg


    context = ssl.create_default_context()
    with smtplib.SMTP_SSL(SMTP_SERVER, PORT, context=context) as server:
        server.login(sender_email, password)
        server.send_message(build_message())
        print("sent!")
    ''', sender=E(sender), app_pw=P(app_pw), r0=E(rcpts[0]), r1=E(rcpts[1]))


def d_flask_app(r):
    sk = s(r, 32, HEX) if r.random() < 0.5 else s(r, 40, ALNUM)
    dbpw = pw(r, "!*-_.")
    host = ip4(r)
    mail_user = email(r, "gmail.com")
    mail_pw = pw(r)
    rc_site = "6L" + s(r, 38, B64URL)
    rc_secret = "6L" + s(r, 38, B64URL)
    return "app.py", T('''
    from flask import Flask, render_template, request, redirect, url_for, flash
    from flask_sqlalchemy import SQLAlchemy
    from flask_mail import Mail, Message
    from werkzeug.security import generate_password_hash, check_password_hash

    app = Flask(__name__)
    app.config['SECRET_KEY'] = '«sk»'
    app.config['SQLALCHEMY_DATABASE_URI'] = 'mysql+pymysql://root:«dbpw»@«host»/blog'
    app.config['SQLALCHEMY_TRACK_MODIFICATIONS'] = False
    app.config['MAIL_SERVER'] = 'smtp.gmail.com'
    app.config['MAIL_PORT'] = 587
    app.config['MAIL_USE_TLS'] = True
    app.config['MAIL_USERNAME'] = '«mail_user»'
    app.config['MAIL_PASSWORD'] = '«mail_pw»'
    app.config['RECAPTCHA_PUBLIC_KEY'] = '«rc_site»'
    app.config['RECAPTCHA_PRIVATE_KEY'] = '«rc_secret»'

    db = SQLAlchemy(app)
    mail = Mail(app)


    class User(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        username = db.Column(db.String(80), unique=True, nullable=False)
        email = db.Column(db.String(120), unique=True, nullable=False)
        password_hash = db.Column(db.String(256))

        def set_password(self, password):
            self.password_hash = generate_password_hash(password)

        def check_password(self, password):
            return check_password_hash(self.password_hash, password)


    @app.route('/register', methods=['GET', 'POST'])
    def register():
        if request.method == 'POST':
            u = User(username=request.form['username'], email=request.form['email'])
            u.set_password(request.form['password'])
            db.session.add(u)
            db.session.commit()
            flash('Account created!')
            return redirect(url_for('login'))
        return render_template('register.html')


    @app.route('/reset_password_request', methods=['POST'])
    def reset_password_request():
        user = User.query.filter_by(email=request.form['email']).first()
        if user:
            reset_password_url = url_for('reset_password', user_id=user.id, _external=True)
            msg = Message('Reset your password', sender=app.config['MAIL_USERNAME'],
                          recipients=[user.email])
            msg.body = f'Click here: {reset_password_url}'
            mail.send(msg)
        return redirect(url_for('login'))


    if __name__ == '__main__':
        with app.app_context():
            db.create_all()
        app.run(debug=True, host='0.0.0.0')
    ''', sk=K(sk), dbpw=P(dbpw), host=IP(host), mail_user=E(mail_user), mail_pw=P(mail_pw),
             rc_site=rc_site, rc_secret=K(rc_secret))


def d_boto3_script(r):
    akid, sec = aws_akid(r), aws_secret(r)
    akid2, sec2 = aws_akid(r), aws_secret(r)
    acct = r.randint(10**11, 10**12 - 1)
    kms = f"arn:aws:kms:us-east-1:{acct}:key/{uuid4(r)}"
    return "upload_to_s3.py", T('''
    import boto3
    import os
    import sys
    from botocore.exceptions import ClientError

    # docs example creds, do not use: AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
    # ACCESS_KEY = "«akid2»"
    # SECRET_KEY = "«sec2»"
    ACCESS_KEY = "«akid»"
    SECRET_KEY = "«sec»"
    BUCKET = "my-photo-backup-2023"
    KMS_KEY = "«kms»"

    s3 = boto3.client(
        "s3",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )


    def upload(path):
        key = os.path.basename(path)
        try:
            s3.upload_file(
                path, BUCKET, key,
                ExtraArgs={"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KMS_KEY},
            )
        except ClientError as e:
            print("failed", path, e)
            return False
        print("uploaded", key)
        return True


    if __name__ == "__main__":
        folder = sys.argv[1] if len(sys.argv) > 1 else "."
        ok = 0
        for name in sorted(os.listdir(folder)):
            if name.lower().endswith((".jpg", ".jpeg", ".png", ".heic")):
                ok += upload(os.path.join(folder, name))
        print(f"{ok} files uploaded")
    ''', akid=K(akid), sec=K(sec), akid2=K(akid2), sec2=K(sec2), kms=kms)


def d_telegram_gpt(r):
    tok = telegram_tok(r)
    oai = openai_key(r)
    admin = r.randint(10**8, 10**10)
    owm = hexs(r, 32)
    return "tg_gpt_bot.py", T('''
    import logging
    from telegram import Update
    from telegram.ext import ApplicationBuilder, CommandHandler, MessageHandler, ContextTypes, filters
    from openai import OpenAI

    BOT_TOKEN = '«tok»'
    ADMIN_CHAT_ID = «admin»
    client = OpenAI(api_key='«oai»')
    WEATHER_KEY = '«owm»'  # openweathermap, for /weather

    logging.basicConfig(format='%(asctime)s - %(name)s - %(levelname)s - %(message)s', level=logging.INFO)

    history = {}


    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE):
        await update.message.reply_text("Hi! Send me anything and I'll answer with GPT.")


    async def reset(update: Update, context: ContextTypes.DEFAULT_TYPE):
        history.pop(update.effective_chat.id, None)
        await update.message.reply_text("Memory cleared.")


    async def chat(update: Update, context: ContextTypes.DEFAULT_TYPE):
        cid = update.effective_chat.id
        msgs = history.setdefault(cid, [{"role": "system", "content": "You are a helpful assistant."}])
        msgs.append({"role": "user", "content": update.message.text})
        resp = client.chat.completions.create(model="gpt-4o-mini", messages=msgs[-20:])
        answer = resp.choices[0].message.content
        msgs.append({"role": "assistant", "content": answer})
        await update.message.reply_text(answer)
        if cid != ADMIN_CHAT_ID:
            await context.bot.send_message(ADMIN_CHAT_ID, f"{cid}: {update.message.text[:200]}")


    if __name__ == '__main__':
        app = ApplicationBuilder().token(BOT_TOKEN).build()
        app.add_handler(CommandHandler('start', start))
        app.add_handler(CommandHandler('reset', reset))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, chat))
        app.run_polling()
    ''', tok=K(tok), admin=admin, oai=K(oai), owm=K(owm))


def d_pytest_conftest(r):
    dom = company_domain(r)
    users = [(email(r, dom), pw(r)) for _ in range(3)]
    tok = jwt(r, "HS256", role="admin")
    h = bcrypt_hash(r)
    wrong = pw(r)
    return "tests/conftest.py", T('''
    import pytest
    from app import create_app, db as _db
    from app.models import User

    TEST_USERS = [
        {"email": "«e0»", "password": "«p0»", "is_admin": True},
        {"email": "«e1»", "password": "«p1»", "is_admin": False},
        {"email": "«e2»", "password": "«p2»", "is_admin": False},
    ]

    # pre-hashed so the fixture is fast
    LEGACY_USER = {"email": "legacy", "password_hash": "«h»"}

    ADMIN_TOKEN = "«tok»"
    WRONG_PASSWORD = "«wrong»"


    @pytest.fixture(scope="session")
    def app():
        app = create_app("testing")
        with app.app_context():
            yield app


    @pytest.fixture
    def db(app):
        _db.create_all()
        for u in TEST_USERS:
            user = User(email=u["email"], is_admin=u["is_admin"])
            user.set_password(u["password"])
            _db.session.add(user)
        _db.session.commit()
        yield _db
        _db.session.remove()
        _db.drop_all()


    @pytest.fixture
    def client(app, db):
        return app.test_client()


    @pytest.fixture
    def admin_headers():
        return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


    def login(client, email, password):
        return client.post("/auth/login", json={"email": email, "password": password})
    ''', e0=E(users[0][0]), p0=P(users[0][1]), e1=E(users[1][0]), p1=P(users[1][1]),
             e2=E(users[2][0]), p2=P(users[2][1]), h=h, tok=K(tok), wrong=P(wrong))


def d_paramiko(r):
    hosts = [ip4(r) for _ in range(3)]
    pw1 = pw(r)
    pw2 = pw_random(r, 14, "!#%")
    lan = priv_ip(r)
    return "ssh_check.py", T('''
    #!/usr/bin/env python3
    # check disk space on all my vps boxes
    import paramiko

    SERVERS = [
        {"host": "«h0»", "user": "root", "password": "«pw1»"},
        {"host": "«h1»", "user": "root", "password": "«pw1»"},
        {"host": "«h2»", "user": "ubuntu", "password": "«pw2»", "port": 2222},
        # {"host": "«lan»", "user": "pi", "key_filename": "/home/me/.ssh/id_pi"},  # home pi, offline
    ]


    def check(srv):
        ssh = paramiko.SSHClient()
        ssh.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        ssh.connect(srv["host"], port=srv.get("port", 22), username=srv["user"],
                    password=srv["password"], timeout=10)
        _, out, _ = ssh.exec_command("df -h / | tail -1")
        line = out.read().decode().strip()
        ssh.close()
        return line


    for srv in SERVERS:
        try:
            print(srv["host"], "->", check(srv))
        except Exception as e:
            print(srv["host"], "ERROR", e)
    ''', h0=IP(hosts[0]), h1=IP(hosts[1]), h2=IP(hosts[2]), pw1=P(pw1), pw2=P(pw2), lan=lan)


def d_express_server(r):
    mpw = pw(r, "-_.!*")
    cluster = s(r, 5, LOWER + DIGITS)
    jsec = s(r, 48, ALNUM) if r.random() < 0.5 else hexs(r, 64)
    gmail = email(r, "gmail.com")
    gpw = s(r, 16, LOWER)
    muser = r.choice(FIRST) + str(r.randint(1, 99))
    sess = s(r, 32, ALNUM)
    lpw = pw(r, "-_.!*")
    return "server.js", T('''
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
    const JWT_SECRET = '«jsec»';
    const session = require('express-session');
    app.use(session({ secret: '«sess»', resave: false, saveUninitialized: true }));

    mongoose
      .connect('mongodb+srv://«muser»:«mpw»@cluster0.«cluster».mongodb.net/todoapp?retryWrites=true&w=majority')
      .then(() => console.log('MongoDB connected'))
      .catch((err) => console.log(err));
    // mongoose.connect('mongodb://admin:«lpw»@localhost:27017/todoapp?authSource=admin');

    const transporter = nodemailer.createTransport({
      service: 'gmail',
      auth: {
        user: '«gmail»',
        pass: '«gpw»',
      },
    });

    const User = mongoose.model('User', new mongoose.Schema({
      name: String,
      email: { type: String, unique: true },
      password: String,
    }));

    app.post('/api/register', async (req, res) => {
      const { name, email, password } = req.body;
      const hashed = await bcrypt.hash(password, 10);
      const user = await User.create({ name, email, password: hashed });
      await transporter.sendMail({
        from: '«gmail»',
        to: email,
        subject: 'Welcome!',
        text: `Hi ${name}, thanks for signing up.`,
      });
      res.json({ id: user._id });
    });

    app.post('/api/login', async (req, res) => {
      const user = await User.findOne({ email: req.body.email });
      if (!user || !(await bcrypt.compare(req.body.password, user.password))) {
        return res.status(401).json({ msg: 'Invalid credentials' });
      }
      const token = jwt.sign({ id: user._id }, JWT_SECRET, { expiresIn: '7d' });
      res.json({ token });
    });

    app.listen(PORT, () => console.log(`Server running on port ${PORT}`));
    ''', jsec=K(jsec), muser=muser, mpw=P(mpw), cluster=cluster, gmail=E(gmail), gpw=P(gpw), sess=K(sess), lpw=P(lpw))


def d_discordjs(r):
    tok = discord_tok(r)
    yt = google_key(r)
    cid = r.randint(10**17, 10**18)
    return "index.js", T('''
    const { Client, GatewayIntentBits, EmbedBuilder } = require('discord.js');
    const axios = require('axios');

    const client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    });

    const config = {
      prefix: '?',
      clientId: '«cid»',
      youtubeKey: '«yt»',
    };

    client.once('ready', () => {
      console.log(`Ready! Logged in as ${client.user.tag}`);
    });

    client.on('messageCreate', async (message) => {
      if (message.author.bot || !message.content.startsWith(config.prefix)) return;
      const args = message.content.slice(config.prefix.length).trim().split(/ +/);
      const command = args.shift().toLowerCase();

      if (command === 'yt') {
        const q = encodeURIComponent(args.join(' '));
        const { data } = await axios.get(
          `https://www.googleapis.com/youtube/v3/search?part=snippet&type=video&maxResults=1&q=${q}&key=${config.youtubeKey}`
        );
        if (!data.items.length) return message.reply('nothing found :(');
        const v = data.items[0];
        const embed = new EmbedBuilder()
          .setTitle(v.snippet.title)
          .setURL(`https://youtu.be/${v.id.videoId}`)
          .setThumbnail(v.snippet.thumbnails.high.url);
        message.channel.send({ embeds: [embed] });
      }

      if (command === 'avatar') {
        const user = message.mentions.users.first() || message.author;
        message.reply(user.displayAvatarURL({ size: 512 }));
      }
    });

    client.login('«tok»');
    ''', cid=cid, yt=K(yt), tok=K(tok))


def d_firebase_js(r):
    api = google_key(r)
    proj = f"{r.choice(_W1)}-{r.choice(_W2)}-{r.randint(1000, 9999)}"
    sender = r.randint(10**10, 10**12)
    appid = f"1:{sender}:web:{hexs(r, 22)}"
    adm = email(r)
    apw = pw(r)
    return "src/firebase.js", T('''
    // Import the functions you need from the SDKs you need
    import { initializeApp } from "firebase/app";
    import { getAuth, signInWithEmailAndPassword } from "firebase/auth";
    import { getFirestore } from "firebase/firestore";
    import { getAnalytics } from "firebase/analytics";

    // Your web app's Firebase configuration
    // For Firebase JS SDK v7.20.0 and later, measurementId is optional
    const firebaseConfig = {
      apiKey: "«api»",
      authDomain: "«proj».firebaseapp.com",
      projectId: "«proj»",
      storageBucket: "«proj».appspot.com",
      messagingSenderId: "«sender»",
      appId: "«appid»",
      measurementId: "G-«mid»"
    };

    // Initialize Firebase
    const app = initializeApp(firebaseConfig);
    export const auth = getAuth(app);
    export const db = getFirestore(app);
    export const analytics = getAnalytics(app);

    // quick login for testing the admin panel, remove before deploy!!
    export async function devLogin() {
      return signInWithEmailAndPassword(auth, "«adm»", "«apw»");
    }
    ''', api=K(api), proj=proj, sender=sender, appid=appid, mid=s(r, 10, UPNUM), adm=E(adm), apw=P(apw))


def d_ts_apiclient(r):
    tok = s(r, 40, ALNUM)
    host = ip4(r)
    lan = priv_ip(r)
    return "src/api/client.ts", T('''
    import axios, { AxiosInstance, AxiosError } from 'axios';

    export interface Device {
      id: string;
      name: string;
      online: boolean;
      lastSeen: string;
    }

    // const BASE_URL = 'http://«lan»:8000/api/v1'; // dev box
    const BASE_URL = 'http://«host»:8000/api/v1';
    const API_TOKEN = '«tok»';

    class ApiClient {
      private http: AxiosInstance;

      constructor(baseURL: string = BASE_URL, token: string = API_TOKEN) {
        this.http = axios.create({
          baseURL,
          timeout: 8000,
          headers: {
            Authorization: `Token ${token}`,
            'Content-Type': 'application/json',
          },
        });
        this.http.interceptors.response.use(
          (r) => r,
          (err: AxiosError) => {
            if (err.response?.status === 401) {
              console.warn('token rejected');
            }
            return Promise.reject(err);
          },
        );
      }

      async devices(): Promise<Device[]> {
        const { data } = await this.http.get<Device[]>('/devices/');
        return data;
      }

      async toggle(id: string, on: boolean): Promise<void> {
        await this.http.post(`/devices/${id}/power/`, { on });
      }
    }

    export default new ApiClient();
    ''', lan=lan, host=IP(host), tok=K(tok))


def d_java_jdbc(r):
    host = ip4(r)
    p = pw(r, "!#*_")
    old = pw(r, "!#*_")
    return "src/StudentDAO.java", T('''
    import java.sql.*;
    import java.util.ArrayList;
    import java.util.List;

    /**
     * DAO for the students table. Lab 4, Databases course.
     */
    public class StudentDAO {

        private static final String URL = "jdbc:mysql://«host»:3306/school?useSSL=false&serverTimezone=UTC";
        private static final String USER = "root";
        private static final String PASS = "«p»";
        // private static final String PASS = "«old»"; // lab pc

        private Connection getConnection() throws SQLException {
            return DriverManager.getConnection(URL, USER, PASS);
        }

        public List<Student> findAll() {
            List<Student> list = new ArrayList<>();
            String sql = "SELECT id, name, grade FROM students ORDER BY name";
            try (Connection c = getConnection();
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    list.add(new Student(rs.getInt("id"), rs.getString("name"), rs.getDouble("grade")));
                }
            } catch (SQLException e) {
                e.printStackTrace();
            }
            return list;
        }

        public void insert(Student s) throws SQLException {
            String sql = "INSERT INTO students (name, grade) VALUES (?, ?)";
            try (Connection c = getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, s.getName());
                ps.setDouble(2, s.getGrade());
                ps.executeUpdate();
            }
        }

        @Override
        public String toString() {
            return "StudentDAO[" + URL + "]";
        }

        @SuppressWarnings("unused")
        public static void main(String[] args) {
            new StudentDAO().findAll().forEach(System.out::println);
        }
    }
    ''', host=IP(host), p=P(p), old=P(old))


def d_javamail(r):
    frm = email(r, r.choice(["gmail.com", "outlook.com", "yahoo.com"]))
    p = pw(r, "!#*")
    to1 = email(r)
    cc = email(r)
    raw = pw_human(r, "")
    esc = raw[: len(raw) // 2] + '\\"' + raw[len(raw) // 2:]
    return "src/main/java/util/Mailer.java", T('''
    package util;

    import java.util.Properties;
    import javax.mail.*;
    import javax.mail.internet.*;

    public class Mailer {

        private static final String FROM = "«frm»";
        private static final String APP_PASSWORD = "«p»";
        // private static final String OLD_PASSWORD = "«esc»";

        public static void send(String to, String subject, String body) throws MessagingException {
            Properties props = new Properties();
            props.put("mail.smtp.auth", "true");
            props.put("mail.smtp.starttls.enable", "true");
            props.put("mail.smtp.host", "smtp.office365.com");
            props.put("mail.smtp.port", "587");

            Session session = Session.getInstance(props, new Authenticator() {
                @Override
                protected PasswordAuthentication getPasswordAuthentication() {
                    return new PasswordAuthentication(FROM, APP_PASSWORD);
                }
            });

            Message message = new MimeMessage(session);
            message.setFrom(new InternetAddress(FROM));
            message.setRecipients(Message.RecipientType.TO, InternetAddress.parse(to));
            message.setRecipients(Message.RecipientType.CC, InternetAddress.parse("«cc»"));
            message.setSubject(subject);
            message.setText(body);
            Transport.send(message);
        }

        public static void main(String[] args) throws Exception {
            send("«to1»", "Test", "It works :)");
            System.out.println("Done");
        }
    }
    ''', frm=E(frm), p=P(p), esc=P(esc), cc=E(cc), to1=E(to1))


def d_android_constants_java(r):
    key = s(r, 32, HEX)
    mkey = google_key(r)
    host = ip4(r)
    pk = stripe(r, "pk_live_")
    return "app/src/main/java/com/example/weatherapp/Constants.java", T('''
    package com.example.weatherapp;

    public final class Constants {

        private Constants() {}

        public static final String BASE_URL = "http://«host»:8080/api/";
        public static final String OWM_BASE = "https://api.openweathermap.org/data/2.5/";

        // openweathermap
        public static final String API_KEY = "«key»";
        public static final String MAPS_KEY = "«mkey»";
        // publishable, safe to ship in the app
        public static final String STRIPE_PUBLISHABLE_KEY = "«pk»";

        public static final String UNITS = "metric";
        public static final int CACHE_MINUTES = 30;
        public static final String PREFS_NAME = "weather_prefs";
        public static final String KEY_LAST_CITY = "last_city";
    }
    ''', host=IP(host), key=K(key), mkey=K(mkey), pk=pk)


def d_csharp_ado(r):
    host = ip4(r)
    p = pw(r, "!#*-_.")
    frm = email(r)
    mp = pw(r, "!#*-_.")
    return "InventoryApp/DataAccess.cs", T('''
    using System;
    using System.Data;
    using System.Data.SqlClient;
    using System.Net;
    using System.Net.Mail;

    namespace InventoryApp
    {
        public class DataAccess
        {
            private readonly string connStr =
                "Server=«host»,1433;Database=Inventory;User Id=sa;Password=«p»;TrustServerCertificate=True;";

            public DataTable GetLowStock(int threshold)
            {
                var dt = new DataTable();
                using (var conn = new SqlConnection(connStr))
                using (var cmd = new SqlCommand("SELECT Sku, Name, Qty FROM Items WHERE Qty < @t", conn))
                {
                    cmd.Parameters.AddWithValue("@t", threshold);
                    conn.Open();
                    dt.Load(cmd.ExecuteReader());
                }
                return dt;
            }

            public void MailReport(string body)
            {
                var smtp = new SmtpClient("smtp.office365.com", 587)
                {
                    EnableSsl = true,
                    Credentials = new NetworkCredential("«frm»", "«mp»")
                };
                smtp.Send("«frm»", "«frm»", "Low stock report " + DateTime.Today.ToShortDateString(), body);
            }
        }
    }
    ''', host=IP(host), p=P(p), frm=E(frm), mp=P(mp))


def d_unity_playfab(r):
    sk = s(r, 40, UPNUM)
    title = s(r, 5, UPNUM)
    photon = uuid4(r)
    return "Assets/Scripts/Backend/BackendConfig.cs", T('''
    using UnityEngine;
    using PlayFab;
    using PlayFab.ServerModels;

    public class BackendConfig : MonoBehaviour
    {
        [Header("PlayFab")]
        public string titleId = "«title»";

        // TODO move this to cloudscript, server key should not be in the client!!
        private const string DeveloperSecretKey = "«sk»";

        [Header("Photon")]
        public string photonAppId = "«photon»";

        [SerializeField] private bool verboseLogs = true;

        void Awake()
        {
            PlayFabSettings.staticSettings.TitleId = titleId;
            PlayFabSettings.staticSettings.DeveloperSecretKey = DeveloperSecretKey;
            DontDestroyOnLoad(gameObject);
        }

        public void GrantCoins(string playFabId, int amount)
        {
            var req = new AddUserVirtualCurrencyRequest
            {
                PlayFabId = playFabId,
                VirtualCurrency = "GC",
                Amount = amount
            };
            PlayFabServerAPI.AddUserVirtualCurrency(req,
                res => { if (verboseLogs) Debug.Log($"granted {amount}, balance {res.Balance}"); },
                err => Debug.LogError(err.GenerateErrorReport()));
        }
    }
    ''', title=title, sk=K(sk), photon=photon)


def d_php_config(r):
    host = ip4(r)
    p = pw(r, "!#*-_.@")
    adm = email(r)
    smtp_pw = pw(r, "!#*-_.")
    sq = square_tok(r)
    return "includes/config.php", T('''
    <?php
    // database settings
    define('DB_HOST', '«host»');
    define('DB_USER', 'shop_user');
    define('DB_NAME', 'shop');
    $db_pass = '«p»';

    define('SITE_URL', 'http://myshop-demo.net/');
    define('ADMIN_EMAIL', '«adm»');
    define('ITEMS_PER_PAGE', 12);

    // mail
    $smtp_host = 'mail.myshop-demo.net';
    $smtp_user = 'orders';
    $smtp_pass = '«smtp_pw»';

    // square payments (production)
    $square_access_token = '«sq»';
    $square_location_id = 'L«loc»';

    $conn = mysqli_connect(DB_HOST, DB_USER, $db_pass, DB_NAME);
    if (!$conn) {
        die("Connection failed: " . mysqli_connect_error());
    }
    mysqli_set_charset($conn, "utf8mb4");

    session_start();

    function is_logged_in() {
        return isset($_SESSION['user_id']);
    }

    function e($str) {
        return htmlspecialchars($str, ENT_QUOTES, 'UTF-8');
    }
    ?>
    ''', host=IP(host), p=P(p), adm=E(adm), smtp_pw=P(smtp_pw), sq=K(sq), loc=s(r, 12, UPNUM))


def d_wp_config(r):
    p = pw(r, "!#*-_.@%")
    salts = [wp_salt(r) for _ in range(8)]
    names = ["AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
             "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"]
    lines = "\n".join(f"define( '{n}',{' ' * (18 - len(n))}'«s{i}»' );" for i, n in enumerate(names))
    kw = {f"s{i}": K(v) for i, v in enumerate(salts)}
    return "wp-config.php", T('''
    <?php
    /**
     * The base configuration for WordPress
     *
     * @link https://wordpress.org/support/article/editing-wp-config-php/
     *
     * @package WordPress
     */

    // ** Database settings - You can get this info from your web host ** //
    /** The name of the database for WordPress */
    define( 'DB_NAME', 'wp_blog' );

    /** Database username */
    define( 'DB_USER', 'wp_blog_user' );

    /** Database password */
    define( 'DB_PASSWORD', '«p»' );

    /** Database hostname */
    define( 'DB_HOST', 'localhost' );

    /** Database charset to use in creating database tables. */
    define( 'DB_CHARSET', 'utf8mb4' );

    /** The database collate type. Don't change this if in doubt. */
    define( 'DB_COLLATE', '' );

    /**#@+
     * Authentication unique keys and salts.
     *
     * Change these to different unique phrases! You can generate these using
     * the {@link https://api.wordpress.org/secret-key/1.1/salt/ WordPress.org secret-key service}.
     *
     * @since 2.6.0
     */
    «lines»

    /**#@-*/

    $table_prefix = 'wp_';

    define( 'WP_DEBUG', false );

    /* That's all, stop editing! Happy publishing. */

    /** Absolute path to the WordPress directory. */
    if ( ! defined( 'ABSPATH' ) ) {
    	define( 'ABSPATH', __DIR__ . '/' );
    }

    /** Sets up WordPress vars and included files. */
    require_once ABSPATH . 'wp-settings.php';
    ''', p=P(p), lines=F(lines, **kw))


def d_phpmailer(r):
    user = email(r, company_domain(r))
    p = pw(r, "!#*-_.")
    to = email(r)
    return "contact.php", T('''
    <?php
    use PHPMailer\\PHPMailer\\PHPMailer;
    use PHPMailer\\PHPMailer\\Exception;

    require 'vendor/autoload.php';

    if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
        header('Location: index.html');
        exit;
    }

    $name = strip_tags(trim($_POST['name'] ?? ''));
    $from = filter_var($_POST['email'] ?? '', FILTER_SANITIZE_EMAIL);
    $text = trim($_POST['message'] ?? '');

    $mail = new PHPMailer(true);
    try {
        $mail->isSMTP();
        $mail->Host       = 'smtp.hostinger.com';
        $mail->SMTPAuth   = true;
        $mail->Username   = '«user»';
        $mail->Password   = '«p»';
        $mail->SMTPSecure = PHPMailer::ENCRYPTION_SMTPS;
        $mail->Port       = 465;

        $mail->setFrom('«user»', 'Website contact form');
        $mail->addAddress('«to»');
        $mail->addReplyTo($from, $name);

        $mail->isHTML(false);
        $mail->Subject = "New message from $name";
        $mail->Body    = "Name: $name\\nEmail: $from\\n\\n$text";

        $mail->send();
        echo json_encode(['ok' => true]);
    } catch (Exception $e) {
        http_response_code(500);
        echo json_encode(['ok' => false, 'error' => $mail->ErrorInfo]);
    }
    ''', user=E(user), p=P(p), to=E(to))


def d_go_bot(r):
    tok = telegram_tok(r)
    p = pw(r, "!#*-_.")
    host = ip4(r)
    return "main.go", T('''
    package main

    import (
    	"database/sql"
    	"fmt"
    	"log"
    	"strings"

    	_ "github.com/go-sql-driver/mysql"
    	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
    )

    const (
    	botToken = "«tok»"
    	dsn      = "bot:«p»@tcp(«host»:3306)/reminders?parseTime=true"
    )

    func main() {
    	db, err := sql.Open("mysql", dsn)
    	if err != nil {
    		log.Fatal(err)
    	}
    	defer db.Close()

    	bot, err := tgbotapi.NewBotAPI(botToken)
    	if err != nil {
    		log.Panic(err)
    	}
    	log.Printf("Authorized on account %s", bot.Self.UserName)

    	u := tgbotapi.NewUpdate(0)
    	u.Timeout = 60
    	for update := range bot.GetUpdatesChan(u) {
    		if update.Message == nil {
    			continue
    		}
    		text := strings.TrimSpace(update.Message.Text)
    		var reply string
    		switch {
    		case strings.HasPrefix(text, "/add "):
    			_, err := db.Exec("INSERT INTO reminders (chat_id, body) VALUES (?, ?)",
    				update.Message.Chat.ID, strings.TrimPrefix(text, "/add "))
    			reply = "saved"
    			if err != nil {
    				reply = fmt.Sprintf("error: %v", err)
    			}
    		case text == "/list":
    			reply = listReminders(db, update.Message.Chat.ID)
    		default:
    			reply = "commands: /add <text>, /list"
    		}
    		bot.Send(tgbotapi.NewMessage(update.Message.Chat.ID, reply))
    	}
    }

    func listReminders(db *sql.DB, chat int64) string {
    	rows, err := db.Query("SELECT body FROM reminders WHERE chat_id = ?", chat)
    	if err != nil {
    		return err.Error()
    	}
    	defer rows.Close()
    	var out []string
    	for rows.Next() {
    		var b string
    		rows.Scan(&b)
    		out = append(out, "- "+b)
    	}
    	return strings.Join(out, "\\n")
    }
    ''', tok=K(tok), p=P(p), host=IP(host))


def d_go_config_test(r):
    sk = stripe(r)
    wh = "whsec_" + s(r, 32)
    pk = stripe(r, "pk_live_")
    return "internal/billing/config_test.go", T('''
    package billing

    import (
    	"os"
    	"testing"
    )

    func TestLoadConfigDefaults(t *testing.T) {
    	os.Unsetenv("STRIPE_SECRET_KEY")
    	cfg := LoadConfig()
    	if cfg.SecretKey != "" {
    		t.Fatalf("expected empty secret key, got %q", cfg.SecretKey)
    	}
    }

    func TestLoadConfigFromEnv(t *testing.T) {
    	// FIXME: this was copied from the dashboard while debugging, rotate it
    	t.Setenv("STRIPE_SECRET_KEY", "«sk»")
    	t.Setenv("STRIPE_WEBHOOK_SECRET", "«wh»")
    	t.Setenv("STRIPE_PUBLISHABLE_KEY", "«pk»")

    	cfg := LoadConfig()
    	if cfg.SecretKey != "«sk»" {
    		t.Errorf("secret key not loaded")
    	}
    	if cfg.WebhookSecret == "" {
    		t.Errorf("webhook secret not loaded")
    	}
    	if cfg.PublishableKey != "«pk»" {
    		t.Errorf("publishable key not loaded")
    	}
    }

    func TestPlaceholderRejected(t *testing.T) {
    	t.Setenv("STRIPE_SECRET_KEY", "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx")
    	if _, err := NewClient(LoadConfig()); err == nil {
    		t.Errorf("placeholder key must be rejected")
    	}
    }
    ''', sk=K(sk), wh=K(wh), pk=pk)


def d_esp32(r):
    wpw = pw(r, "!#*-_.")
    broker = ip4(r)
    mpw = pw_random(r, 12, "")
    blynk = s(r, 32, ALNUM + "_-")
    ota = pw_human(r, "")
    return "src/main.ino", T('''
    #include <WiFi.h>
    #include <PubSubClient.h>
    #include <DHT.h>
    #include <ArduinoOTA.h>

    #define BLYNK_TEMPLATE_ID "TMPL«tid»"
    #define BLYNK_AUTH_TOKEN "«blynk»"

    #define DHTPIN 4
    #define DHTTYPE DHT22

    const char* ssid = "FRITZ!Box 7590 XY";
    const char* password = "«wpw»";

    const char* mqtt_server = "«broker»";
    const int mqtt_port = 1883;
    const char* mqtt_user = "esp32";
    const char* mqtt_pass = "«mpw»";

    // IPAddress local_IP(192, 168, 178, 50);
    // IPAddress gateway(192, 168, 178, 1);
    // IPAddress subnet(255, 255, 255, 0);

    WiFiClient espClient;
    PubSubClient client(espClient);
    DHT dht(DHTPIN, DHTTYPE);
    unsigned long lastMsg = 0;

    void setup_wifi() {
      delay(10);
      Serial.print("Connecting to ");
      Serial.println(ssid);
      WiFi.begin(ssid, password);
      while (WiFi.status() != WL_CONNECTED) {
        delay(500);
        Serial.print(".");
      }
      Serial.println(WiFi.localIP());
    }

    void reconnect() {
      while (!client.connected()) {
        if (client.connect("ESP32Client", mqtt_user, mqtt_pass)) {
          client.subscribe("home/livingroom/cmd");
        } else {
          delay(5000);
        }
      }
    }

    void setup() {
      Serial.begin(115200);
      dht.begin();
      setup_wifi();
      ArduinoOTA.setHostname("livingroom-sensor");
      ArduinoOTA.setPassword("«ota»");
      ArduinoOTA.begin();
      client.setServer(mqtt_server, mqtt_port);
    }

    void loop() {
      ArduinoOTA.handle();
      if (!client.connected()) reconnect();
      client.loop();
      if (millis() - lastMsg > 10000) {
        lastMsg = millis();
        char buf[16];
        dtostrf(dht.readTemperature(), 4, 1, buf);
        client.publish("home/livingroom/temp", buf);
      }
    }
    ''', tid=s(r, 8, UPNUM), blynk=K(blynk), wpw=P(wpw), broker=IP(broker), mpw=P(mpw), ota=P(ota))


def d_curl_cpp(r):
    host = ip4(r)
    p = pw(r, "!#*-_.")
    proxy_pw = pw_random(r, 12, "")
    return "fetch_status.cpp", T('''
    // g++ fetch_status.cpp -lcurl -o fetch_status
    // tested with libcurl 7.88.1 / 8.4.0
    #include <curl/curl.h>
    #include <iostream>
    #include <string>

    static size_t write_cb(void* contents, size_t size, size_t nmemb, void* userp) {
        static_cast<std::string*>(userp)->append(static_cast<char*>(contents), size * nmemb);
        return size * nmemb;
    }

    int main() {
        CURL* curl = curl_easy_init();
        if (!curl) {
            std::cerr << "curl init failed\\n";
            return 1;
        }
        std::string body;
        curl_easy_setopt(curl, CURLOPT_URL, "https://«host»:8443/status.json");
        curl_easy_setopt(curl, CURLOPT_USERPWD, "monitor:«p»");
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        // company proxy
        curl_easy_setopt(curl, CURLOPT_PROXY, "http://proxy.corp.lan:3128");
        curl_easy_setopt(curl, CURLOPT_PROXYUSERPWD, "svc_monitor:«proxy_pw»");
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);  // self signed
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);

        CURLcode res = curl_easy_perform(curl);
        if (res != CURLE_OK) {
            std::cerr << "request failed: " << curl_easy_strerror(res) << "\\n";
        } else {
            long code = 0;
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
            std::cout << "HTTP " << code << "\\n" << body << std::endl;
        }
        curl_easy_cleanup(curl);
        return res == CURLE_OK ? 0 : 2;
    }
    ''', host=IP(host), p=P(p), proxy_pw=P(proxy_pw))


def d_ruby_mail(r):
    u = email(r, "gmail.com")
    p = s(r, 16, LOWER)
    to = email(r)
    return "scripts/notify.rb", T('''
    #!/usr/bin/env ruby
    # frozen_string_literal: true

    require 'mail'
    require 'json'
    require 'net/http'

    Mail.defaults do
      delivery_method :smtp, {
        address: 'smtp.gmail.com',
        port: 587,
        user_name: '«u»',
        password: '«p»',
        authentication: 'plain',
        enable_starttls_auto: true
      }
    end

    URL = URI('https://api.coingecko.com/api/v3/simple/price?ids=bitcoin,ethereum&vs_currencies=eur')
    THRESHOLDS = { 'bitcoin' => 60_000, 'ethereum' => 3_000 }.freeze

    prices = JSON.parse(Net::HTTP.get(URL))
    alerts = THRESHOLDS.filter_map do |coin, limit|
      price = prices.dig(coin, 'eur')
      "#{coin}: #{price} EUR (limit #{limit})" if price && price > limit
    end

    unless alerts.empty?
      Mail.deliver do
        from    '«u»'
        to      '«to»'
        subject "Price alert (#{alerts.size})"
        body    alerts.join("\\n")
      end
      puts "sent #{alerts.size} alerts"
    end
    ''', u=E(u), p=P(p), to=E(to))


def d_ruby_octokit(r):
    gh = ghp(r)
    hook = slack_hook_path(r)
    return "bin/stale_prs.rb", T('''
    #!/usr/bin/env ruby
    require 'octokit'
    require 'slack-notifier'
    require 'time'

    client = Octokit::Client.new(access_token: '«gh»')
    client.auto_paginate = true

    notifier = Slack::Notifier.new 'https://hooks.slack.com/services/«hook»',
                                   channel: '#dev', username: 'pr-bot'

    REPOS = %w[acme-web/frontend acme-web/api acme-web/infra].freeze
    STALE_DAYS = 5

    stale = REPOS.flat_map do |repo|
      client.pull_requests(repo, state: 'open').select do |pr|
        (Time.now - pr.updated_at) / 86_400 > STALE_DAYS && !pr.draft
      end.map { |pr| "<#{pr.html_url}|#{repo}##{pr.number}> #{pr.title} (@#{pr.user.login})" }
    end

    if stale.empty?
      puts 'nothing stale'
    else
      notifier.ping "*#{stale.size} PRs waiting for review > #{STALE_DAYS} days*\\n" + stale.join("\\n")
    end
    ''', gh=K(gh), hook=K(hook))


def d_deploy_sh(r):
    web, db = ip4(r), ip4(r)
    mpw = pw(r, "#*-_.")
    cpw = pw(r, "#*-_.")
    gh = ghp(r)
    legacy_pw = pw(r, "#*-_.")
    return "deploy.sh", T('''
    #!/bin/bash
    # quick and dirty deploy, run from repo root
    set -e

    WEB=«web»
    DB_HOST=«db»
    APP_DIR=/var/www/myapp
    export GITHUB_TOKEN=«gh»

    echo "==> building"
    npm ci
    npm run build

    echo "==> backing up db"
    mysqldump -h $DB_HOST -u root -p'«mpw»' myapp > backup_$(date +%F).sql

    echo "==> uploading"
    rsync -avz --delete dist/ deploy@$WEB:$APP_DIR/dist/
    ssh deploy@$WEB "cd $APP_DIR && git pull https://$GITHUB_TOKEN@github.com/me/myapp.git main && pm2 restart myapp"

    # read -s -p "cloudflare password: " CF_PASS
    # legacy box still has password auth only
    sshpass -p '«legacy_pw»' scp dist/robots.txt root@$WEB:/var/www/legacy/

    echo "==> purging cache"
    curl -s -u "me:«cpw»" -X POST "https://status.myapp.dev/api/purge" > /dev/null

    echo "done ✔"
    ''', web=IP(web), db=IP(db), gh=K(gh), mpw=P(mpw), cpw=P(cpw), legacy_pw=P(legacy_pw))


def d_backup_cron_sh(r):
    pgp = pw(r, "#*-_.")
    akid, sec = aws_akid(r), aws_secret(r)
    to = email(r)
    xoxp = slack_user(r)
    return "scripts/pg_backup.sh", T('''
    #!/usr/bin/env bash
    # nightly postgres backup -> s3
    # crontab: 30 2 * * * /opt/scripts/pg_backup.sh >> /var/log/pg_backup.log 2>&1

    DB=production
    STAMP=$(date +%Y%m%d_%H%M)
    FILE=/tmp/${DB}_${STAMP}.sql.gz

    export PGPASSWORD='«pgp»'
    export AWS_ACCESS_KEY_ID=«akid»
    export AWS_SECRET_ACCESS_KEY=«sec»
    export AWS_DEFAULT_REGION=eu-central-1

    if ! pg_dump -h 127.0.0.1 -U postgres "$DB" | gzip > "$FILE"; then
        echo "backup of $DB failed at $STAMP" | mail -s "[backup] FAILED" «to»
        exit 1
    fi

    aws s3 cp "$FILE" "s3://company-db-backups/$DB/" --storage-class STANDARD_IA
    SIZE=$(du -h "$FILE" | cut -f1)
    rm -f "$FILE"

    # keep 30 days
    aws s3 ls "s3://company-db-backups/$DB/" | awk '{print $4}' | sort | head -n -30 | \\
        xargs -r -I{} aws s3 rm "s3://company-db-backups/$DB/{}"

    curl -s -X POST https://slack.com/api/chat.postMessage \\
        -H "Authorization: Bearer «xoxp»" \\
        --data-urlencode "channel=#ops" --data-urlencode "text=pg backup $STAMP ok ($SIZE)" > /dev/null

    echo "$STAMP ok ($SIZE)"
    ''', pgp=P(pgp), akid=K(akid), sec=K(sec), to=E(to), xoxp=K(xoxp))


def d_bank_homework(r):
    adm = pw_human(r)
    u1, u2, u3 = pw_human(r), pw_human(r, ""), pw_random(r, 10, "")
    return "bank_system.py", T('''
    # Simple Bank System - Python mini project
    # Features: login, deposit, withdraw, check balance, admin view

    ADMIN_PIN = "«adm»"

    accounts = {
        "john": {"password": "«u1»", "balance": 1500.0},
        "mary": {"password": "«u2»", "balance": 320.5},
        "test": {"password": "«u3»", "balance": 0.0},
    }


    def login():
        name = input("Username: ").strip().lower()
        password = input("Password: ")
        acc = accounts.get(name)
        if acc and acc["password"] == password:
            print("Welcome", name.title(), "| password:", "*" * len(password))
            return name
        print("Wrong username or password")
        return None


    def menu(user):
        while True:
            print("\\n1) Balance  2) Deposit  3) Withdraw  4) Logout")
            choice = input("> ")
            if choice == "1":
                print(f"Balance: ${accounts[user]['balance']:.2f}")
            elif choice == "2":
                amt = float(input("Amount: "))
                accounts[user]["balance"] += amt
            elif choice == "3":
                amt = float(input("Amount: "))
                if amt > accounts[user]["balance"]:
                    print("Insufficient funds")
                else:
                    accounts[user]["balance"] -= amt
            elif choice == "4":
                break


    def admin():
        if input("Admin PIN: ") == ADMIN_PIN:
            for name, acc in accounts.items():
                print(f"{name:<10} {acc['balance']:>10.2f}")


    if __name__ == "__main__":
        mode = input("(u)ser or (a)dmin? ")
        if mode == "a":
            admin()
        else:
            u = login()
            if u:
                menu(u)
    ''', adm=P(adm), u1=P(u1), u2=P(u2), u3=P(u3))


def d_openai_snippet(r):
    k1, k2 = openai_key(r), openai_key(r)
    return "gpt_summarize.py", T('''
    # pip install openai==0.28
    import openai
    import sys

    # openai.api_key = "«k2»"
    openai.api_key = "«k1»"


    def summarize(text, max_words=80):
        resp = openai.ChatCompletion.create(
            model="gpt-3.5-turbo",
            messages=[
                {"role": "system", "content": f"Summarize in at most {max_words} words."},
                {"role": "user", "content": text},
            ],
            temperature=0.3,
        )
        return resp["choices"][0]["message"]["content"].strip()


    if __name__ == "__main__":
        path = sys.argv[1]
        with open(path, encoding="utf-8") as f:
            content = f.read()
        # chunk long files, the model has a 4k context
        chunks = [content[i:i + 6000] for i in range(0, len(content), 6000)]
        parts = [summarize(c) for c in chunks]
        print(summarize("\\n".join(parts)) if len(parts) > 1 else parts[0])
    ''', k1=K(k1), k2=K(k2))


def d_slack_bolt(r):
    bot, app_tok = slack_bot(r), slack_app(r)
    sign = hexs(r, 32)
    return "slack_app/app.py", T('''
    import os
    import re
    from slack_bolt import App
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    # TODO: move to .env before pushing
    SLACK_BOT_TOKEN = "«bot»"
    SLACK_SIGNING_SECRET = "«sign»"
    SLACK_APP_TOKEN = "«app_tok»"

    app = App(token=SLACK_BOT_TOKEN, signing_secret=SLACK_SIGNING_SECRET)

    LUNCH = ["ramen", "pizza", "tacos", "salad bar", "thai", "burgers"]


    @app.message(re.compile(r"^(hi|hello|hey)\\b", re.I))
    def say_hello(message, say):
        say(f"Hey there <@{message['user']}>! :wave:")


    @app.command("/lunch")
    def lunch(ack, respond):
        import random
        ack()
        respond(f"How about *{random.choice(LUNCH)}* today?")


    @app.event("app_mention")
    def mention(event, say):
        say(text="You rang?", thread_ts=event.get("ts"))


    if __name__ == "__main__":
        SocketModeHandler(app, os.environ.get("SLACK_APP_TOKEN", SLACK_APP_TOKEN)).start()
    ''', bot=K(bot), sign=K(sign), app_tok=K(app_tok))


def d_selenium_accounts(r):
    accts = [(email(r), pw(r, "!#*-_.")) for _ in range(3)]
    body = "\n".join(f'    ("«e{i}»", "«p{i}»"),' for i in range(3))
    kw = {}
    for i, (e, p) in enumerate(accts):
        kw[f"e{i}"], kw[f"p{i}"] = E(e), P(p)
    return "twitter_bot/accounts.py", T('''
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    from selenium.webdriver.support import expected_conditions as EC
    import time

    # email, password
    ACCOUNTS = [
    «body»
    ]


    def login(driver, mail, pwd):
        driver.get("https://x.com/i/flow/login")
        wait = WebDriverWait(driver, 20)
        box = wait.until(EC.presence_of_element_located((By.NAME, "text")))
        box.send_keys(mail)
        driver.find_element(By.XPATH, "//span[text()='Next']").click()
        pw_box = wait.until(EC.presence_of_element_located((By.NAME, "password")))
        pw_box.send_keys(pwd)
        driver.find_element(By.XPATH, "//span[text()='Log in']").click()
        time.sleep(5)


    def main():
        for mail, pwd in ACCOUNTS:
            opts = webdriver.ChromeOptions()
            opts.add_argument("--disable-blink-features=AutomationControlled")
            driver = webdriver.Chrome(options=opts)
            try:
                login(driver, mail, pwd)
                print("logged in:", mail)
            finally:
                driver.quit()


    if __name__ == "__main__":
        main()
    ''', body=F(body, **kw))


def d_jest_seed(r):
    dom = company_domain(r)
    users = [(email(r, dom), pw(r, "!#*-_.@")) for _ in range(2)]
    users.append((email(r, dom), f"{r.choice(PWWORDS)}\\'s{r.randint(1990, 2024)}{r.choice('!#*')}"))
    uid = uuid4(r)
    bad = pw(r, "!#*-_.")
    return "test/fixtures/users.js", T('''
    // Seed data for the integration tests. Loaded by test/setup.js
    const bcrypt = require('bcryptjs');

    const plainUsers = [
      {
        id: '«uid»',
        name: 'Test Admin',
        email: '«e0»',
        password: '«p0»',
        role: 'admin',
      },
      {
        name: 'Regular User',
        email: '«e1»',
        password: '«p1»',
        role: 'user',
      },
      {
        name: 'Locked User',
        email: '«e2»',
        password: '«p2»',
        role: 'user',
        locked: true,
      },
    ];

    const wrongPassword = '«bad»';

    async function hashedUsers() {
      return Promise.all(
        plainUsers.map(async (u) => ({ ...u, password: await bcrypt.hash(u.password, 4) })),
      );
    }

    module.exports = { plainUsers, hashedUsers, wrongPassword };
    ''', uid=uid, e0=E(users[0][0]), p0=P(users[0][1]), e1=E(users[1][0]), p1=P(users[1][1]),
             e2=E(users[2][0]), p2=P(users[2][1]), bad=P(bad))


def d_next_sendgrid(r):
    sg = sendgrid(r)
    frm = role_email(r, r.choice(["noreply", "hello", "contact"]))
    to = email(r)
    return "pages/api/contact.ts", T('''
    import type { NextApiRequest, NextApiResponse } from 'next';
    import sgMail from '@sendgrid/mail';

    sgMail.setApiKey(process.env.SENDGRID_API_KEY || '«sg»');

    type Data = { ok: boolean; error?: string };

    export default async function handler(req: NextApiRequest, res: NextApiResponse<Data>) {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        return res.status(405).json({ ok: false, error: 'Method not allowed' });
      }
      const { name, email, message } = req.body ?? {};
      if (!name || !email || !message) {
        return res.status(400).json({ ok: false, error: 'Missing fields' });
      }
      try {
        await sgMail.send({
          to: '«to»',
          from: '«frm»',
          replyTo: email,
          subject: `Portfolio contact: ${name}`,
          text: message,
        });
        return res.status(200).json({ ok: true });
      } catch (err: any) {
        console.error(err?.response?.body ?? err);
        return res.status(500).json({ ok: false, error: 'Could not send' });
      }
    }
    ''', sg=K(sg), to=E(to), frm=E(frm))


def d_android_retrofit(r):
    user = r.choice(FIRST)
    p = pw_human(r)
    auth = basic_auth(user, p)
    host = ip4(r)
    return "app/src/main/java/com/kiosk/net/RetrofitClient.java", T('''
    package com.kiosk.net;

    import okhttp3.OkHttpClient;
    import okhttp3.Request;
    import okhttp3.logging.HttpLoggingInterceptor;
    import retrofit2.Retrofit;
    import retrofit2.converter.gson.GsonConverterFactory;

    public class RetrofitClient {

        private static final String BASE_URL = "http://«host»/kiosk/api/";
        private static Retrofit retrofit;

        public static Retrofit get() {
            if (retrofit == null) {
                HttpLoggingInterceptor log = new HttpLoggingInterceptor();
                log.setLevel(HttpLoggingInterceptor.Level.BODY);

                OkHttpClient client = new OkHttpClient.Builder()
                        .addInterceptor(chain -> {
                            Request req = chain.request().newBuilder()
                                    .header("Authorization", "Basic «auth»")
                                    .header("Accept", "application/json")
                                    .build();
                            return chain.proceed(req);
                        })
                        .addInterceptor(log)
                        .build();

                retrofit = new Retrofit.Builder()
                        .baseUrl(BASE_URL)
                        .client(client)
                        .addConverterFactory(GsonConverterFactory.create())
                        .build();
            }
            return retrofit;
        }
    }
    ''', host=IP(host), auth=K(auth))


def d_csharp_discord(r):
    tok = discord_tok(r)
    mp = pw(r, "!*-_.")
    host = ip4(r)
    return "MusicBot/Program.cs", T('''
    using System;
    using System.Threading.Tasks;
    using DSharpPlus;
    using DSharpPlus.CommandsNext;
    using MongoDB.Driver;

    namespace MusicBot
    {
        class Program
        {
            static async Task Main(string[] args)
            {
                var discord = new DiscordClient(new DiscordConfiguration()
                {
                    Token = "«tok»",
                    TokenType = TokenType.Bot,
                    Intents = DiscordIntents.AllUnprivileged | DiscordIntents.MessageContents,
                    MinimumLogLevel = Microsoft.Extensions.Logging.LogLevel.Information
                });

                var mongo = new MongoClient("mongodb://musicbot:«mp»@«host»:27017/?authSource=admin");
                var db = mongo.GetDatabase("musicbot");
                Services.Init(db);

                var commands = discord.UseCommandsNext(new CommandsNextConfiguration()
                {
                    StringPrefixes = new[] { "-" }
                });
                commands.RegisterCommands<PlaylistModule>();

                await discord.ConnectAsync();
                Console.WriteLine("Bot is online.");
                await Task.Delay(-1);
            }
        }
    }
    ''', tok=K(tok), mp=P(mp), host=IP(host))


def d_laravel_seeder(r):
    dom = company_domain(r)
    a, b = email(r, dom), email(r)
    pa, pb, pc = pw(r, "!#*-_.@"), pw(r, "!#*-_.@"), pw(r, "!#*-_.@")
    return "database/seeders/DatabaseSeeder.php", T('''
    <?php

    namespace Database\\Seeders;

    use App\\Models\\User;
    use App\\Models\\Post;
    use Illuminate\\Database\\Seeder;
    use Illuminate\\Support\\Facades\\Hash;

    class DatabaseSeeder extends Seeder
    {
        /**
         * Seed the application's database.
         */
        public function run(): void
        {
            $admin = User::create([
                'name' => 'Administrator',
                'email' => '«a»',
                'password' => Hash::make('«pa»'),
                'is_admin' => true,
            ]);

            User::factory()->create([
                'name' => 'Demo Editor',
                'email' => '«b»',
                'password' => bcrypt('«pb»'),
            ]);

            User::factory(10)->create(['password' => Hash::make('«pc»')]);

            Post::factory(25)->create(['user_id' => $admin->id]);
        }
    }
    ''', a=E(a), pa=P(pa), b=E(b), pb=P(pb), pc=P(pc))


def d_go_ssh(r):
    host = ip4(r)
    p = pw(r, "!#*-_.")
    key = pem(r, "OPENSSH PRIVATE KEY")
    return "cmd/remote/main.go", T('''
    package main

    import (
    	"bytes"
    	"fmt"
    	"log"

    	"golang.org/x/crypto/ssh"
    )

    // key for the backup box, TODO: load from file
    const backupKey = `«key»`

    func run(addr string, cfg *ssh.ClientConfig, cmd string) (string, error) {
    	client, err := ssh.Dial("tcp", addr, cfg)
    	if err != nil {
    		return "", err
    	}
    	defer client.Close()
    	sess, err := client.NewSession()
    	if err != nil {
    		return "", err
    	}
    	defer sess.Close()
    	var out bytes.Buffer
    	sess.Stdout = &out
    	err = sess.Run(cmd)
    	return out.String(), err
    }

    func main() {
    	signer, err := ssh.ParsePrivateKey([]byte(backupKey))
    	if err != nil {
    		log.Fatal(err)
    	}
    	cfg := &ssh.ClientConfig{
    		User: "admin",
    		Auth: []ssh.AuthMethod{
    			ssh.PublicKeys(signer),
    			ssh.Password("«p»"),
    		},
    		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
    	}
    	out, err := run("«host»:22", cfg, "uptime && df -h /srv")
    	if err != nil {
    		log.Fatal(err)
    	}
    	fmt.Print(out)
    }
    ''', key=K(key), p=P(p), host=IP(host))


def d_docker_run_sh(r):
    pg = pw(r, "#*-_.")
    minio = pw_random(r, 20, "")
    gl = glpat(r)
    return "scripts/dev-services.sh", T('''
    #!/bin/sh
    # start the local dev stack without compose (compose was broken on my mac)

    docker network create devnet 2>/dev/null || true

    docker run -d --name pg --network devnet -p 5432:5432 \\
      -e POSTGRES_USER=app \\
      -e POSTGRES_PASSWORD=«pg» \\
      -v pgdata:/var/lib/postgresql/data \\
      postgres:16.2-alpine

    docker run -d --name minio --network devnet -p 9000:9000 -p 9001:9001 \\
      -e MINIO_ROOT_USER=minioadmin \\
      -e MINIO_ROOT_PASSWORD=«minio» \\
      minio/minio:RELEASE.2024-03-15T01-07-19Z server /data --console-address ":9001"

    docker run -d --name redis --network devnet -p 6379:6379 redis:7.2.4

    # private registry for the worker image
    echo «gl» | docker login registry.gitlab.com -u oauth2 --password-stdin
    docker run -d --name worker --network devnet \\
      -e DATABASE_URL=postgres://app:«pg»@pg:5432/app \\
      registry.gitlab.com/kitchen-sink/worker:latest

    docker ps
    ''', pg=P(pg), minio=P(minio), gl=K(gl))


def d_django_settings(r):
    sk = django_key(r)
    dbp = pw(r, "!#*-_.")
    dom = company_domain(r)
    eu = email(r, dom)
    ep = pw(r, "!#*-_.")
    admins = [email(r, dom) for _ in range(2)]
    h1, h2 = ip4(r), ip4(r)
    return "mysite/settings.py", T('''
    """
    Django settings for mysite project.

    Generated by 'django-admin startproject' using Django 4.2.7.
    """

    from pathlib import Path

    BASE_DIR = Path(__file__).resolve().parent.parent

    # SECURITY WARNING: keep the secret key used in production secret!
    SECRET_KEY = '«sk»'

    # SECURITY WARNING: don't run with debug turned on in production!
    DEBUG = False

    ALLOWED_HOSTS = ['«h1»', '«h2»', 'localhost', '127.0.0.1']

    ADMINS = [('Site Admin', '«a0»'), ('Backup', '«a1»')]

    INSTALLED_APPS = [
        'django.contrib.admin',
        'django.contrib.auth',
        'django.contrib.contenttypes',
        'django.contrib.sessions',
        'django.contrib.messages',
        'django.contrib.staticfiles',
        'blog',
    ]

    DATABASES = {
        'default': {
            'ENGINE': 'django.db.backends.postgresql',
            'NAME': 'mysite',
            'USER': 'mysite',
            'PASSWORD': '«dbp»',
            'HOST': 'localhost',
            'PORT': '5432',
        }
    }

    AUTH_PASSWORD_VALIDATORS = [
        {'NAME': 'django.contrib.auth.password_validation.UserAttributeSimilarityValidator'},
        {'NAME': 'django.contrib.auth.password_validation.MinimumLengthValidator'},
    ]

    EMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'
    EMAIL_HOST = 'smtp.zoho.eu'
    EMAIL_PORT = 587
    EMAIL_USE_TLS = True
    EMAIL_HOST_USER = '«eu»'
    EMAIL_HOST_PASSWORD = '«ep»'
    DEFAULT_FROM_EMAIL = EMAIL_HOST_USER

    STATIC_URL = 'static/'
    STATIC_ROOT = BASE_DIR / 'staticfiles'
    DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'
    ''', sk=K(sk), h1=IP(h1), h2=IP(h2), a0=E(admins[0]), a1=E(admins[1]), dbp=P(dbp),
             eu=E(eu), ep=P(ep))


def d_twilio_js(r):
    sid = twilio_key_sid(r)
    sec = s(r, 32)
    to = email(r)
    return "notify/sms.js", T('''
    // Send an SMS + email when the garage door is left open
    const twilio = require('twilio');
    const mailer = require('./mailer');

    const apiKey = '«sid»';
    const apiSecret = '«sec»';
    const client = twilio(apiKey, apiSecret, { accountSid: process.env.TWILIO_ACCOUNT_SID });

    const FROM = '+15017122661';
    const TO = ['+14155552671', '+447700900123'];

    async function alert(minutesOpen) {
      const body = `Garage door has been open for ${minutesOpen} minutes!`;
      for (const to of TO) {
        const msg = await client.messages.create({ from: FROM, to, body });
        console.log('sent', msg.sid);
      }
      await mailer.send('«to»', 'Garage alert', body);
    }

    module.exports = { alert };
    ''', sid=K(sid), sec=K(sec), to=E(to))


# ============================================================================================
# Part 2: long-tail languages
# ============================================================================================


def d_kotlin_constants(r):
    key = s(r, 32, HEX)
    news = s(r, 32, HEX)
    host = ip4(r)
    pk = stripe(r, "pk_live_")
    cid = f"{r.randint(10**11, 10**12)}-{s(r, 32, LOWER + DIGITS)}.apps.googleusercontent.com"
    return "app/src/main/java/dev/moviebuff/util/Constants.kt", T('''
    package dev.moviebuff.util

    object Constants {
        const val TMDB_BASE_URL = "https://api.themoviedb.org/3/"
        const val TMDB_API_KEY = "«key»"
        const val NEWS_API_KEY = "«news»"
        const val IMAGE_BASE_URL = "https://image.tmdb.org/t/p/w500"

        // backend for watchlists (my vps)
        const val BACKEND_URL = "http://«host»:3000/"

        // these two are public by design
        const val STRIPE_PUBLISHABLE_KEY = "«pk»"
        const val GOOGLE_WEB_CLIENT_ID = "«cid»"

        const val DATABASE_NAME = "moviebuff.db"
        const val PAGE_SIZE = 20
        const val SEARCH_DEBOUNCE_MS = 500L
    }
    ''', key=K(key), news=K(news), host=IP(host), pk=pk, cid=cid)


def d_swift_config(r):
    mb_user = r.choice(FIRST) + r.choice(LAST)
    mb = mapbox_secret(r, mb_user)
    owm = hexs(r, 32)
    support = role_email(r, "support")
    sha = sha256hex(r)
    return "WeatherNow/Config.swift", T('''
    //
    //  Config.swift
    //  WeatherNow
    //
    //  Created by «author» on 12/03/2023.
    //

    import Foundation

    enum Config {
        static let mapboxPublicToken = "pk.eyJ1Ijoi«pub»"
        /// downloads token, needed for SPM. do NOT ship
        static let mapboxSecretToken = "«mb»"
        static let openWeatherKey = "«owm»"

        static let supportEmail = "«support»"
        static let appStoreURL = URL(string: "https://apps.apple.com/app/id«appid»")!

        /// sha256 of the bundled radar tiles archive
        static let tilesChecksum = "«sha»"

        static var isDebug: Bool {
            #if DEBUG
            return true
            #else
            return false
            #endif
        }
    }

    extension Config {
        static func mailtoURL(subject: String) -> URL? {
            let s = subject.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ""
            return URL(string: "mailto:\\(supportEmail)?subject=\\(s)")
        }
    }
    ''', author=" ".join(x.title() for x in person(r)), pub=s(r, 60, B64URL), mb=K(mb), owm=K(owm),
             support=E(support), appid=r.randint(10**9, 2 * 10**9), sha=sha)


def d_rust_reqwest(r):
    tok = s(r, 40, ALNUM)
    raw = f"{r.choice(PWWORDS)}{r.choice('@#/')}{r.randint(1000, 9999)}"
    p = raw.replace("@", "%40").replace("#", "%23").replace("/", "%2F")
    host = ip4(r)
    v6 = ip6(r)
    smtp_pw = pw(r, "-_.!*")
    return "src/main.rs", T('''
    use anyhow::Result;
    use serde::Deserialize;
    use sqlx::postgres::PgPoolOptions;

    const API: &str = "https://api.hetzner.cloud/v1";
    const TOKEN: &str = "«tok»";
    const DATABASE_URL: &str = "postgres://inventory:«p»@«host»:5432/inventory";
    // const FALLBACK_HOST: &str = "«v6»";
    const SMTP_USER: &str = "alerts";
    const SMTP_PASS: &str = "«smtp_pw»";

    #[derive(Debug, Deserialize)]
    struct Server {
        id: u64,
        name: String,
        status: String,
    }

    #[derive(Debug, Deserialize)]
    struct Servers {
        servers: Vec<Server>,
    }

    #[tokio::main]
    async fn main() -> Result<()> {
        let client = reqwest::Client::new();
        let resp: Servers = client
            .get(format!("{API}/servers"))
            .bearer_auth(TOKEN)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;

        let pool = PgPoolOptions::new().max_connections(4).connect(DATABASE_URL).await?;
        for s in &resp.servers {
            sqlx::query("INSERT INTO servers (id, name, status) VALUES ($1, $2, $3) \\
                         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status")
                .bind(s.id as i64)
                .bind(&s.name)
                .bind(&s.status)
                .execute(&pool)
                .await?;
            println!("{:>10} {:<30} {}", s.id, s.name, s.status);
        }
        Ok(())
    }
    ''', tok=K(tok), p=P(p), host=IP(host), v6=IP(v6), smtp_pw=P(smtp_pw))


def d_scala_spark(r):
    host = ip4(r)
    p = pw(r, "!#*-_.")
    akid, sec = aws_akid(r), aws_secret(r)
    return "src/main/scala/jobs/ExportOrders.scala", T('''
    package jobs

    import org.apache.spark.sql.{SaveMode, SparkSession}
    import org.apache.spark.sql.functions._

    object ExportOrders {

      def main(args: Array[String]): Unit = {
        val spark = SparkSession.builder()
          .appName("export-orders")
          .getOrCreate()

        val hc = spark.sparkContext.hadoopConfiguration
        hc.set("fs.s3a.access.key", "«akid»")
        hc.set("fs.s3a.secret.key", "«sec»")
        hc.set("fs.s3a.endpoint", "s3.eu-west-1.amazonaws.com")

        val orders = spark.read
          .format("jdbc")
          .option("url", "jdbc:postgresql://«host»:5432/shop")
          .option("dbtable", "public.orders")
          .option("user", "spark_ro")
          .option("password", "«p»")
          .option("fetchsize", "10000")
          .load()

        val daily = orders
          .withColumn("day", to_date(col("created_at")))
          .groupBy("day", "country")
          .agg(sum("total").as("revenue"), count(lit(1)).as("orders"))

        daily.write
          .mode(SaveMode.Overwrite)
          .partitionBy("day")
          .parquet("s3a://analytics-lake/orders_daily/")

        spark.stop()
      }
    }
    ''', akid=K(akid), sec=K(sec), host=IP(host), p=P(p))


def d_dart_flutter(r):
    oai = openai_key(r)
    gm = google_key(r)
    dev = email(r)
    anon_placeholder = "YOUR_SUPABASE_ANON_KEY"
    demo = pw_human(r)
    return "lib/core/constants.dart", T('''
    // ignore_for_file: constant_identifier_names

    class AppConstants {
      AppConstants._();

      static const String appName = 'RecipeBuddy';
      static const String version = '1.4.2+17';
      static const String developerEmail = '«dev»';

      static const String openAiKey = '«oai»';
      static const String openAiModel = 'gpt-4o-mini';
      static const String mapsApiKey = '«gm»';

      static const String supabaseUrl = 'https://xyzcompany.supabase.co';
      static const String supabaseAnonKey = '«anon»';

      // review account for the App Store / Play review team
      static const String demoUsername = 'appreview';
      static const String demoPassword = '«demo»';

      static const Duration requestTimeout = Duration(seconds: 30);
      static const int maxIngredients = 25;
    }
    ''', dev=E(dev), oai=K(oai), gm=K(gm), anon=anon_placeholder, demo=P(demo))


def d_elixir_config(r):
    p = pw(r, "!#*-_.")
    skb = s(r, 64, ALNUM + "+/")
    mg = mailgun(r)
    host = ip4(r)
    guardian = s(r, 64, ALNUM + "+/")
    ec = pem(r, "EC PRIVATE KEY").replace("\n", "\n    ")
    return "config/prod.secret.exs", T('''
    import Config

    config :chat_app, ChatApp.Repo,
      username: "chat_app",
      password: "«p»",
      hostname: "«host»",
      database: "chat_app_prod",
      pool_size: 15

    config :chat_app, ChatAppWeb.Endpoint,
      http: [ip: {0, 0, 0, 0, 0, 0, 0, 0}, port: 4000],
      secret_key_base: "«skb»",
      server: true

    config :chat_app, ChatApp.Mailer,
      adapter: Swoosh.Adapters.Mailgun,
      api_key: "«mg»",
      domain: "mg.chatapp.live"

    config :chat_app, ChatApp.Guardian,
      issuer: "chat_app",
      secret_key: "«guardian»"

    config :joken,
      apple_signer: [
        signer_alg: "ES256",
        key_pem: """
        «ec»
        """
      ]

    config :logger, level: :info
    ''', p=P(p), host=IP(host), skb=K(skb), mg=K(mg), guardian=K(guardian), ec=K(ec))


def d_haskell_smtp(r):
    host = ip4(r)
    frm = email(r)
    to = email(r)
    p = pw(r, "!#*-_.")
    return "app/Notify.hs", T('''
    {-# LANGUAGE OverloadedStrings #-}
    module Main where

    import Network.Mail.SMTP
    import Network.Mail.Mime (Mail)
    import qualified Data.Text as T
    import qualified Data.Text.Lazy as TL
    import System.Environment (getArgs)

    smtpHost :: String
    smtpHost = "«host»"

    smtpUser, smtpPass :: String
    smtpUser = "«frm»"
    smtpPass = "«p»"

    mkMail :: T.Text -> Mail
    mkMail body =
      simpleMail
        (Address (Just "Build bot") "«frm»")
        [Address Nothing "«to»"]
        []
        []
        "Nightly build finished"
        [plainPart (TL.fromStrict body)]

    main :: IO ()
    main = do
      args <- getArgs
      let body = T.pack (unwords args)
      sendMailWithLoginSTARTTLS smtpHost smtpUser smtpPass (mkMail body)
      putStrLn "mail sent"
    ''', host=IP(host), frm=E(frm), p=P(p), to=E(to))


def d_lua_nodemcu(r):
    wpw = pw(r, "!#*-_.")
    broker = ip4(r)
    hook_id = r.randint(10**17, 10**19)
    hook_tok = s(r, 68, B64URL)
    return "init.lua", T('''
    -- NodeMCU plant watering sensor
    local SSID = "Vodafone-2C8F"
    local PASS = "«wpw»"
    local BROKER = "«broker»"
    local WEBHOOK = "https://discord.com/api/webhooks/«hid»/«htok»"

    local DRY_THRESHOLD = 620
    local m = mqtt.Client("plant-" .. node.chipid(), 120)

    wifi.setmode(wifi.STATION)
    wifi.sta.config({ ssid = SSID, pwd = PASS, auto = true })

    local function notify(msg)
      http.post(WEBHOOK, "Content-Type: application/json\\r\\n",
        '{"content":"' .. msg .. '"}', function(code) print("discord", code) end)
    end

    local function read_moisture()
      local v = adc.read(0)
      m:publish("garden/basil/moisture", tostring(v), 0, 0)
      if v > DRY_THRESHOLD then
        notify("basil is thirsty (" .. v .. ")")
      end
    end

    wifi.eventmon.register(wifi.eventmon.STA_GOT_IP, function(t)
      print("ip: " .. t.IP)
      m:connect(BROKER, 1883, false, function()
        tmr.create():alarm(60000, tmr.ALARM_AUTO, read_moisture)
      end)
    end)
    ''', wpw=P(wpw), broker=IP(broker), hid=hook_id, htok=K(hook_tok))


def d_perl_dbi(r):
    host = ip4(r)
    p = pw(r, "!#*-_.")
    to = email(r)
    frm = role_email(r, "cron")
    ftp_pw = pw(r, "!#*-_.")
    ftp_host = ip4(r)
    return "bin/daily_report.pl", T('''
    #!/usr/bin/perl
    use strict;
    use warnings;
    use DBI;
    use MIME::Lite;
    use POSIX qw(strftime);
    use Net::FTP;

    my $dsn  = "DBI:mysql:database=helpdesk;host=«host»;port=3306";
    my $dbh  = DBI->connect($dsn, "report", "«p»", { RaiseError => 1, AutoCommit => 1 })
        or die "Cannot connect: $DBI::errstr";

    my $today = strftime("%Y-%m-%d", localtime);
    my $sth = $dbh->prepare(q{
        SELECT status, COUNT(*) FROM tickets
        WHERE DATE(updated_at) = ?
        GROUP BY status
    });
    $sth->execute($today);

    my $body = "Ticket summary for $today\\n\\n";
    while (my ($status, $count) = $sth->fetchrow_array) {
        $body .= sprintf("%-12s %5d\\n", $status, $count);
    }
    $dbh->disconnect;

    my $msg = MIME::Lite->new(
        From    => '«frm»',
        To      => '«to»',
        Subject => "Helpdesk report $today",
        Data    => $body,
    );
    $msg->send('smtp', 'localhost', Timeout => 30);

    # also drop a copy on the old intranet box
    my $ftp = Net::FTP->new("«ftp_host»", Debug => 0) or die "ftp: $@";
    $ftp->login("reports", '«ftp_pw»') or die "login: ", $ftp->message;
    open(my $fh, '<', \$body);
    $ftp->put($fh, "helpdesk_$today.txt");
    $ftp->quit;
    print "report sent\\n";
    ''', host=IP(host), p=P(p), frm=E(frm), to=E(to), ftp_pw=P(ftp_pw), ftp_host=IP(ftp_host))


def d_r_script(r):
    oai = openai_key(r)
    host = ip4(r)
    p = pw(r, "!#*-_.")
    me = email(r)
    bearer = "AAAAAAAAAAAAAAAAAAAAA" + s(r, 25) + "%3D" + s(r, 50)
    return "analysis/survey_text.R", T('''
    # Survey free-text analysis
    # Author: «me»
    library(DBI)
    library(RMariaDB)
    library(dplyr)
    library(httr2)

    Sys.setenv(OPENAI_API_KEY = "«oai»")

    con <- dbConnect(RMariaDB::MariaDB(),
                     host = "«host»",
                     port = 3306,
                     user = "analyst",
                     password = "«p»",
                     dbname = "survey2024")

    answers <- dbGetQuery(con, "SELECT id, q7_text FROM responses WHERE q7_text <> ''")
    dbDisconnect(con)

    classify <- function(txt) {
      req <- request("https://api.openai.com/v1/chat/completions") |>
        req_auth_bearer_token(Sys.getenv("OPENAI_API_KEY")) |>
        req_body_json(list(
          model = "gpt-4o-mini",
          messages = list(
            list(role = "system", content = "Label the sentiment: positive, neutral or negative."),
            list(role = "user", content = txt)
          )
        ))
      resp_body_json(req_perform(req))$choices[[1]]$message$content
    }

    # twitter mentions for comparison (app-only auth)
    # library(rtweet)
    # auth <- rtweet_app(bearer_token = "«bearer»")
    # mentions <- search_tweets("#survey2024", n = 500, token = auth)

    answers$sentiment <- vapply(answers$q7_text, classify, character(1))
    print(table(answers$sentiment))
    write.csv(answers, "q7_sentiment.csv", row.names = FALSE)
    ''', me=E(me), oai=K(oai), host=IP(host), p=P(p), bearer=K(bearer))


def d_julia_script(r):
    tok = hf_tok(r)
    host = ip4(r)
    p = pw(r, "!#*-_.")
    return "scripts/fetch_embeddings.jl", T('''
    using HTTP, JSON3, LibPQ, DataFrames

    const HF_TOKEN = "«tok»"
    const MODEL = "sentence-transformers/all-MiniLM-L6-v2"
    const CONN = "host=«host» port=5432 dbname=papers user=julia password=«p»"

    function embed(texts::Vector{String})
        resp = HTTP.post(
            "https://api-inference.huggingface.co/pipeline/feature-extraction/$MODEL",
            ["Authorization" => "Bearer $HF_TOKEN", "Content-Type" => "application/json"],
            JSON3.write(Dict("inputs" => texts)),
        )
        return JSON3.read(resp.body)
    end

    conn = LibPQ.Connection(CONN)
    df = DataFrame(execute(conn, "SELECT id, abstract FROM papers WHERE embedding IS NULL LIMIT 256"))

    for chunk in Iterators.partition(eachrow(df), 32)
        vecs = embed([row.abstract for row in chunk])
        for (row, v) in zip(chunk, vecs)
            execute(conn, "UPDATE papers SET embedding = \\$1 WHERE id = \\$2", [collect(v), row.id])
        end
        println("embedded ", length(chunk))
    end
    close(conn)
    ''', tok=K(tok), host=IP(host), p=P(p))


def d_jenkinsfile(r):
    p = pw(r, "#*-_.")
    host = ip4(r)
    hook = slack_hook_path(r)
    dp = pw_random(r, 14, "")
    return "Jenkinsfile", T('''
    pipeline {
        agent any

        environment {
            REGISTRY = 'registry.hub.docker.com'
            IMAGE = 'shopfront/web'
            STAGING = '«host»'
            SLACK_URL = 'https://hooks.slack.com/services/«hook»'
        }

        stages {
            stage('Build') {
                steps {
                    sh 'npm ci && npm run build'
                }
            }
            stage('Docker') {
                steps {
                    withCredentials([usernamePassword(credentialsId: 'dockerhub', usernameVariable: 'DH_USER', passwordVariable: 'DH_PASS')]) {
                        sh 'echo $DH_PASS | docker login -u $DH_USER --password-stdin'
                    }
                    sh "docker build -t ${IMAGE}:${BUILD_NUMBER} ."
                    sh "docker push ${IMAGE}:${BUILD_NUMBER}"
                }
            }
            stage('Deploy staging') {
                steps {
                    // TODO: switch to ssh-agent plugin
                    sh "sshpass -p '«p»' ssh -o StrictHostKeyChecking=no jenkins@${STAGING} 'docker pull ${IMAGE}:${BUILD_NUMBER} && docker compose up -d'"
                    sh "curl -s -u deployer:«dp» http://${STAGING}:9000/hooks/reload"
                }
            }
        }

        post {
            failure {
                sh """curl -X POST -H 'Content-type: application/json' \\
                    --data '{"text":"Build ${BUILD_NUMBER} failed"}' ${SLACK_URL}"""
            }
        }
    }
    ''', host=IP(host), hook=K(hook), p=P(p), dp=P(dp))


def d_powershell(r):
    p = pw(r, "!#*-_.")
    adm = email(r, company_domain(r))
    host = ip4(r)
    acct = f"{r.choice(_W1)}{r.choice(_W2)}store"
    ak = azure_account_key(r)
    sqlpw = pw(r, "!#*-_.")
    return "scripts/Deploy-Site.ps1", T('''
    <#
    .SYNOPSIS
        Copies the build output to the IIS box and uploads assets to blob storage.
    #>
    param(
        [string]$Server = "«host»",
        [string]$SiteName = "Intranet"
    )

    $ErrorActionPreference = "Stop"

    $user = "«adm»"
    $secure = ConvertTo-SecureString "«p»" -AsPlainText -Force
    $cred = New-Object System.Management.Automation.PSCredential($user, $secure)
    # $cred = Get-Credential   # interactive version

    $session = New-PSSession -ComputerName $Server -Credential $cred -UseSSL
    Invoke-Command -Session $session -ScriptBlock {
        param($site)
        Import-Module WebAdministration
        Stop-WebSite -Name $site
    } -ArgumentList $SiteName

    Copy-Item -Path .\\publish\\* -Destination "C:\\inetpub\\$SiteName" -ToSession $session -Recurse -Force
    Invoke-Command -Session $session -ScriptBlock { param($site) Start-WebSite -Name $site } -ArgumentList $SiteName
    Remove-PSSession $session

    Invoke-Sqlcmd -ServerInstance $Server -Database "Intranet" -Username "intranet_deploy" -Password "«sqlpw»" `
        -Query "UPDATE dbo.Settings SET Value = GETDATE() WHERE Name = 'LastDeploy'"

    $conn = "DefaultEndpointsProtocol=https;AccountName=«acct»;AccountKey=«ak»;EndpointSuffix=core.windows.net"
    $ctx = New-AzStorageContext -ConnectionString $conn
    Get-ChildItem .\\publish\\assets -File | ForEach-Object {
        Set-AzStorageBlobContent -File $_.FullName -Container "assets" -Blob $_.Name -Context $ctx -Force | Out-Null
    }
    Write-Host "Deployed $SiteName to $Server" -ForegroundColor Green
    ''', host=IP(host), adm=E(adm), p=P(p), acct=acct, ak=K(ak), sqlpw=P(sqlpw))


def d_objc_appdelegate(r):
    gm = google_key(r)
    sec = s(r, 40, ALNUM)
    sup = role_email(r, "help")
    dbkey = pw_random(r, 18, "")
    return "Runner/AppDelegate.m", T('''
    //
    //  AppDelegate.m
    //  Runner
    //

    #import "AppDelegate.h"
    #import <GoogleMaps/GoogleMaps.h>
    #import <Firebase/Firebase.h>

    static NSString * const kMapsAPIKey = @"«gm»";
    static NSString * const kBackendSecret = @"«sec»";
    static NSString * const kSupportMail = @"«sup»";
    static NSString * const kDatabasePassword = @"«dbkey»";  // SQLCipher

    @interface AppDelegate ()
    @property (nonatomic, strong) NSURLSession *session;
    @end

    @implementation AppDelegate

    - (BOOL)application:(UIApplication *)application didFinishLaunchingWithOptions:(NSDictionary *)launchOptions {
        [GMSServices provideAPIKey:kMapsAPIKey];
        [FIRApp configure];

        NSURLSessionConfiguration *cfg = [NSURLSessionConfiguration defaultSessionConfiguration];
        cfg.HTTPAdditionalHeaders = @{@"X-App-Secret": kBackendSecret,
                                      @"User-Agent": @"Runner/2.3.1 (iOS)"};
        self.session = [NSURLSession sessionWithConfiguration:cfg];
        return YES;
    }

    - (void)openSupport {
        NSString *url = [NSString stringWithFormat:@"mailto:%@?subject=Runner%%20feedback", kSupportMail];
        [[UIApplication sharedApplication] openURL:[NSURL URLWithString:url] options:@{} completionHandler:nil];
    }

    @end
    ''', gm=K(gm), sec=K(sec), sup=E(sup), dbkey=P(dbkey))


def d_vbnet(r):
    host = ip4(r)
    p = pw(r, "!#*-_.")
    frm = email(r, company_domain(r))
    to = email(r)
    mp = pw(r, "!#*-_.")
    return "Payroll/Module1.vb", T('''
    Imports System.Data.SqlClient
    Imports System.Net
    Imports System.Net.Mail

    Module Module1

        Private Const ConnStr As String = "Data Source=«host»;Initial Catalog=Payroll;User ID=payroll_app;Password=«p»;"

        Sub Main()
            Dim total As Decimal = 0
            Using conn As New SqlConnection(ConnStr)
                conn.Open()
                Dim cmd As New SqlCommand("SELECT SUM(Gross) FROM Payslips WHERE PeriodId = @p", conn)
                cmd.Parameters.AddWithValue("@p", DateTime.Today.ToString("yyyyMM"))
                Dim res = cmd.ExecuteScalar()
                If res IsNot DBNull.Value Then total = CDec(res)
            End Using

            Dim client As New SmtpClient("smtp.office365.com", 587)
            client.EnableSsl = True
            client.Credentials = New NetworkCredential("«frm»", "«mp»")
            Dim msg As New MailMessage("«frm»", "«to»")
            msg.Subject = "Payroll total " & DateTime.Today.ToString("MMMM yyyy")
            msg.Body = "Gross total: " & total.ToString("C")
            client.Send(msg)
            Console.WriteLine("Report sent.")
        End Sub

    End Module
    ''', host=IP(host), p=P(p), frm=E(frm), mp=P(mp), to=E(to))


def d_fsharp(r):
    host = ip4(r)
    p = pw(r, "!#*-_.")
    key = s(r, 32, HEX)
    return "scripts/rates.fsx", T('''
    #r "nuget: Npgsql, 8.0.2"
    #r "nuget: FSharp.Data, 6.3.0"

    open System
    open System.Net.Http
    open Npgsql
    open FSharp.Data

    let connString = "Host=«host»;Port=5432;Username=rates;Password=«p»;Database=finance"
    let apiKey = "«key»"

    type Rates = JsonProvider<"""{"base":"EUR","date":"2024-01-02","rates":{"USD":1.09,"GBP":0.86}}""">

    let fetch () =
        use http = new HttpClient()
        http.DefaultRequestHeaders.Add("apikey", apiKey)
        let json = http.GetStringAsync("https://api.apilayer.com/exchangerates_data/latest?base=EUR").Result
        Rates.Parse json

    let save (r: Rates.Root) =
        use conn = new NpgsqlConnection(connString)
        conn.Open()
        for KeyValue(cur, v) in [ "USD", r.Rates.Usd; "GBP", r.Rates.Gbp ] |> dict do
            use cmd = new NpgsqlCommand("INSERT INTO fx (day, currency, rate) VALUES (@d, @c, @r)", conn)
            cmd.Parameters.AddWithValue("d", r.Date) |> ignore
            cmd.Parameters.AddWithValue("c", cur) |> ignore
            cmd.Parameters.AddWithValue("r", v) |> ignore
            cmd.ExecuteNonQuery() |> ignore

    fetch () |> save
    printfn "saved rates %s" (DateTime.Now.ToString "u")
    ''', host=IP(host), p=P(p), key=K(key))


def d_clojure_edn(r):
    p = pw(r, "!#*-_.")
    host = ip4(r)
    jwt_sec = s(r, 64, ALNUM)
    mu = email(r, company_domain(r))
    mp = pw(r, "!#*-_.")
    return "resources/config.edn", T('''
    {:server {:port 3000
              :host "0.0.0.0"}

     :db {:dbtype "postgresql"
          :host "«host»"
          :port 5432
          :dbname "kanban"
          :user "kanban"
          :password "«p»"}

     :auth {:jwt-secret "«jwt»"
            :token-ttl-minutes 720}

     :mail {:host "smtp.fastmail.com"
            :port 465
            :ssl true
            :user "«mu»"
            :pass "«mp»"}

     :features #{:boards :labels :due-dates}}
    ''', host=IP(host), p=P(p), jwt=K(jwt_sec), mu=E(mu), mp=P(mp))


def d_sql_seed(r):
    dom = company_domain(r)
    users = [email(r, dom) for _ in range(2)] + [email(r) for _ in range(2)]
    hashes = [bcrypt_hash(r) for _ in range(4)]
    app_pw = pw(r, "!#*-_.")
    ro_pw = pw(r, "!#*-_.")
    bk_pw = pw_random(r, 20, "")
    rows = ",\n".join(
        f"  ({i + 1}, '«e{i}»', '{hashes[i]}', {'TRUE' if i == 0 else 'FALSE'}, NOW())" for i in range(4))
    kw = {f"e{i}": E(u) for i, u in enumerate(users)}
    return "db/init/01_seed.sql", T('''
    -- initial schema + seed for local dev
    CREATE DATABASE IF NOT EXISTS ticketing CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    USE ticketing;

    CREATE USER IF NOT EXISTS 'ticketing'@'%' IDENTIFIED BY '«app_pw»';
    GRANT SELECT, INSERT, UPDATE, DELETE ON ticketing.* TO 'ticketing'@'%';
    CREATE USER IF NOT EXISTS 'reporting'@'localhost' IDENTIFIED BY '«ro_pw»';
    GRANT SELECT ON ticketing.* TO 'reporting'@'localhost';
    CREATE USER IF NOT EXISTS 'backup'@'10.0.%' IDENTIFIED WITH mysql_native_password BY '«bk_pw»';
    GRANT SELECT, LOCK TABLES, SHOW VIEW ON ticketing.* TO 'backup'@'10.0.%';
    FLUSH PRIVILEGES;

    CREATE TABLE users (
      id INT PRIMARY KEY AUTO_INCREMENT,
      email VARCHAR(190) NOT NULL UNIQUE,
      password_hash CHAR(60) NOT NULL,
      is_staff BOOLEAN NOT NULL DEFAULT FALSE,
      created_at DATETIME NOT NULL
    );

    CREATE TABLE tickets (
      id INT PRIMARY KEY AUTO_INCREMENT,
      user_id INT NOT NULL REFERENCES users(id),
      title VARCHAR(200) NOT NULL,
      status ENUM('open','pending','closed') NOT NULL DEFAULT 'open'
    );

    INSERT INTO users (id, email, password_hash, is_staff, created_at) VALUES
    «rows»;

    INSERT INTO tickets (user_id, title) VALUES (2, 'Cannot reset password'), (3, 'Invoice missing');
    ''', app_pw=P(app_pw), ro_pw=P(ro_pw), bk_pw=P(bk_pw), rows=F(rows, **kw))


# ============================================================================================
# Part 3: config, infra and data formats
# ============================================================================================


def d_compose(r):
    pg = pw(r, "!*-_.")
    root = pw(r, "!*-_.")
    redis = pw_random(r, 24, "")
    sk = stripe(r)
    jsec = hexs(r, 64)
    ext = ip4(r)
    pga = pw(r, "!*-_.")
    minio = s(r, 40, ALNUM)
    return "docker-compose.yml", T('''
    version: "3.8"

    services:
      db:
        image: postgres:15.4
        restart: unless-stopped
        environment:
          POSTGRES_DB: saas
          POSTGRES_USER: saas
          POSTGRES_PASSWORD: "«pg»"
        volumes:
          - pgdata:/var/lib/postgresql/data
        ports:
          - "127.0.0.1:5432:5432"

      mysql-legacy:
        image: mysql:8.0.36
        environment:
          - MYSQL_ROOT_PASSWORD=«root»
          - MYSQL_DATABASE=legacy

      cache:
        image: redis:7-alpine
        command: ["redis-server", "--requirepass", "«redis»"]

      api:
        build: ./api
        depends_on: [db, cache]
        environment:
          DATABASE_URL: postgres://saas:«pg»@db:5432/saas
          REDIS_URL: redis://:«redis»@cache:6379/0
          STRIPE_SECRET_KEY: «sk»
          JWT_SECRET: «jsec»
          SENTRY_DSN: ${SENTRY_DSN}
        extra_hosts:
          - "billing.internal:«ext»"
        ports:
          - "8080:8080"

      pgadmin:
        image: dpage/pgadmin4:8.2
        environment:
          PGADMIN_DEFAULT_EMAIL: «pgmail»
          PGADMIN_DEFAULT_PASSWORD: «pga»
        ports:
          - "5050:80"

      minio:
        image: minio/minio
        command: server /data
        environment:
          MINIO_ACCESS_KEY: saas-uploads
          MINIO_SECRET_KEY: «minio»

      web:
        image: nginx:1.25
        ports:
          - "80:80"
        volumes:
          - ./nginx.conf:/etc/nginx/conf.d/default.conf:ro

    volumes:
      pgdata:
    ''', pg=P(pg), root=P(root), redis=P(redis), sk=K(sk), jsec=K(jsec), ext=IP(ext), pga=P(pga),
             minio=K(minio), pgmail=E(email(r)))


def d_gh_actions(r):
    tok = npm_tok(r)
    mail = email(r, r.choice(FREEMAIL))
    dh = "dckr_pat_" + s(r, 27, B64URL)
    return ".github/workflows/release.yml", T('''
    name: Release

    on:
      push:
        tags:
          - "v*"

    jobs:
      publish:
        runs-on: ubuntu-latest
        permissions:
          contents: write
        steps:
          - uses: actions/checkout@v4
          - uses: actions/setup-node@v4
            with:
              node-version: 20
              registry-url: https://registry.npmjs.org
          - run: npm ci
          - run: npm test
          - name: Publish to npm
            run: npm publish --access public
            env:
              # NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}
              NODE_AUTH_TOKEN: «tok»
          - uses: docker/login-action@v3
            with:
              username: ghostwriterbot
              password: «dh»
          - run: docker build -t ghostwriterbot/cli:${GITHUB_REF_NAME} . && docker push ghostwriterbot/cli:${GITHUB_REF_NAME}
          - name: Changelog commit
            run: |
              git config user.name "release-bot"
              git config user.email "«mail»"
              npx conventional-changelog -p angular -i CHANGELOG.md -s
              git commit -am "docs: changelog ${GITHUB_REF_NAME}" || true
              git push origin HEAD:main
            env:
              GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}
    ''', tok=K(tok), mail=E(mail), dh=K(dh))


def d_k8s_secret(r):
    p1 = pw(r, "!*-_.")
    p2 = pw_random(r, 20, "")
    key = s(r, 40, ALNUM)
    ghcr = ghp(r)
    host = ip4(r)
    smtp = pw(r, "!*-_.")
    sess = hexs(r, 64)
    tls_key = pem(r, "RSA PRIVATE KEY", short=True).replace("\n", "\n    ")
    tls_crt = public_pem(r, "CERTIFICATE").replace("\n", "\n    ")
    return "k8s/app-secrets.yaml", T('''
    apiVersion: v1
    kind: Secret
    metadata:
      name: app-secrets
      namespace: shop
    type: Opaque
    stringData:
      DB_PASSWORD: "«p1»"
      RABBITMQ_DEFAULT_PASS: "«p2»"
      PAYMENT_API_KEY: "«key»"
      SMTP_PASSWORD: '«smtp»'
      SESSION_SECRET: «sess»
    ---
    apiVersion: v1
    kind: Secret
    metadata:
      name: ghcr-pull
      namespace: shop
    type: kubernetes.io/basic-auth
    stringData:
      username: shop-ci
      password: «ghcr»
    ---
    apiVersion: v1
    kind: Secret
    metadata:
      name: shop-tls
      namespace: shop
    type: kubernetes.io/tls
    stringData:
      tls.crt: |
        «tls_crt»
      tls.key: |
        «tls_key»
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: app-config
      namespace: shop
    data:
      DB_HOST: postgres.shop.svc.cluster.local
      PAYMENT_GATEWAY_IP: "«host»"
      LOG_LEVEL: info
    ''', p1=P(p1), p2=P(p2), key=K(key), ghcr=K(ghcr), host=IP(host), smtp=P(smtp), sess=K(sess),
             tls_crt=tls_crt, tls_key=K(tls_key))


def d_appsettings(r):
    host = ip4(r)
    p = pw(r, "!*-_.")
    jk = b64_secret(r, 48)
    sg = sendgrid(r)
    frm = role_email(r, "no-reply")
    sk = stripe(r, "rk_live_")
    pk = stripe(r, "pk_live_")
    return "src/Api/appsettings.Production.json", T('''
    {
      "Logging": {
        "LogLevel": {
          "Default": "Information",
          "Microsoft.AspNetCore": "Warning"
        }
      },
      "AllowedHosts": "*",
      "ConnectionStrings": {
        "DefaultConnection": "Server=«host»;Database=BookingDb;User Id=booking_api;Password=«p»;Encrypt=True;TrustServerCertificate=True"
      },
      "Jwt": {
        "Issuer": "https://booking.api",
        "Audience": "booking-clients",
        "Key": "«jk»",
        "ExpiresMinutes": 60
      },
      "SendGrid": {
        "ApiKey": "«sg»",
        "FromEmail": "«frm»",
        "FromName": "Booking"
      },
      "Stripe": {
        "SecretKey": "«sk»",
        "PublishableKey": "«pk»"
      },
      "ApplicationInsights": {
        "ConnectionString": "InstrumentationKey=«ikey»;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/"
      }
    }
    ''', host=IP(host), p=P(p), jk=K(jk), sg=K(sg), frm=E(frm), ikey=uuid4(r), sk=K(sk), pk=pk)


def d_gcp_sa_json(r):
    proj = f"{r.choice(_W1)}-{r.choice(_W2)}-{r.randint(100000, 999999)}"
    sa = f"{r.choice(['firebase-adminsdk-' + s(r, 5, LOWER + DIGITS), 'uploader', 'ci-deployer', 'bq-reader'])}@{proj}.iam.gserviceaccount.com"
    key = pem(r, "PRIVATE KEY", sep="\\n")
    cid = str(r.randint(10**20, 10**21))
    return "credentials/service-account.json", T('''
    {
      "type": "service_account",
      "project_id": "«proj»",
      "private_key": "«key»\\n",
      "client_email": "«sa»",
      "client_id": "«cid»",
      "auth_uri": "https://accounts.google.com/o/oauth2/auth",
      "token_uri": "https://oauth2.googleapis.com/token",
      "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
      "universe_domain": "googleapis.com"
    }
    ''', proj=proj, key=K(key), sa=E(sa), cid=cid)


def d_bot_toml(r):
    tok = discord_tok(r)
    oai = anthropic_key(r)
    p = pw(r, "!*-_.")
    host = ip4(r)
    wk = s(r, 30, ALNUM)
    return "config.toml", T('''
    # copy to config.toml and fill in
    [bot]
    token = "«tok»"
    prefix = "$"
    owner_ids = [«o1», «o2»]
    status = "watching the server"

    [database]
    url = "postgresql://modbot:«p»@«host»:5432/modbot"
    pool_min = 1
    pool_max = 5

    [ai]
    provider = "anthropic"
    api_key = "«oai»"
    model = "claude-3-haiku-20240307"
    max_tokens = 512

    [weather]
    api_key = "«wk»"
    units = "metric"

    [logging]
    level = "INFO"
    file = "logs/bot.log"
    ''', tok=K(tok), o1=r.randint(10**17, 10**18), o2=r.randint(10**17, 10**18), p=P(p),
             host=IP(host), oai=K(oai), wk=K(wk))


def d_odoo_conf(r):
    admin = pw_random(r, 16, "")
    dbp = pw(r, "!*-_.")
    host = ip4(r)
    sp = pw(r, "!*-_.")
    frm = role_email(r, "erp")
    return "etc/odoo.conf", T('''
    [options]
    ; This is the password that allows database operations:
    admin_passwd = «admin»
    db_host = «host»
    db_port = 5432
    db_user = odoo
    db_password = «dbp»
    db_maxconn = 64
    addons_path = /opt/odoo/addons,/opt/odoo/custom-addons
    data_dir = /var/lib/odoo
    logfile = /var/log/odoo/odoo.log
    log_level = info
    xmlrpc_port = 8069
    longpolling_port = 8072
    proxy_mode = True
    workers = 4
    limit_memory_hard = 2684354560
    limit_memory_soft = 2147483648
    limit_time_cpu = 600
    limit_time_real = 1200
    email_from = «frm»
    smtp_server = smtp.mailgun.org
    smtp_port = 587
    smtp_ssl = False
    smtp_user = postmaster@mg.«dom»
    smtp_password = «sp»
    list_db = False
    ''', admin=P(admin), host=IP(host), dbp=P(dbp), frm=E(frm), dom=f"{r.choice(_W1)}{r.choice(_W2)}.com", sp=P(sp))


def d_maven_settings(r):
    p1 = pw(r, "!*-_.#")
    gh = ghp(r, "gho_")
    nexus = ip4(r)
    p2 = pw(r, "!*-_.#")
    return ".m2/settings.xml", T('''
    <?xml version="1.0" encoding="UTF-8"?>
    <settings xmlns="http://maven.apache.org/SETTINGS/1.2.0"
              xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
              xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.2.0 https://maven.apache.org/xsd/settings-1.2.0.xsd">
      <servers>
        <server>
          <id>nexus-releases</id>
          <username>deployment</username>
          <password>«p1»</password>
        </server>
        <server>
          <id>nexus-snapshots</id>
          <username>deployment</username>
          <password>«p2»</password>
        </server>
        <server>
          <id>github</id>
          <username>jkowalski</username>
          <password>«gh»</password>
        </server>
      </servers>
      <mirrors>
        <mirror>
          <id>nexus</id>
          <mirrorOf>*</mirrorOf>
          <url>http://«nexus»:8081/repository/maven-public/</url>
        </mirror>
      </mirrors>
      <profiles>
        <profile>
          <id>github</id>
          <repositories>
            <repository>
              <id>github</id>
              <url>https://maven.pkg.github.com/jkowalski/*</url>
            </repository>
          </repositories>
        </profile>
      </profiles>
      <activeProfiles>
        <activeProfile>github</activeProfile>
      </activeProfiles>
    </settings>
    ''', p1=P(p1), gh=K(gh), nexus=IP(nexus), p2=P(p2))


def d_web_config(r):
    host = ip4(r)
    p = pw(r, "!*-_.#")
    sk = s(r, 32, ALNUM)
    pp = s(r, 80, ALNUM + "-_")
    mp = pw(r, "!*-_.#")
    return "Web.config", T('''
    <?xml version="1.0" encoding="utf-8"?>
    <configuration>
      <connectionStrings>
        <add name="ShopEntities"
             connectionString="Data Source=«host»;Initial Catalog=Shop;Persist Security Info=True;User ID=shopweb;Password=«p»;MultipleActiveResultSets=True"
             providerName="System.Data.SqlClient" />
      </connectionStrings>
      <appSettings>
        <add key="webpages:Version" value="3.0.0.0" />
        <add key="ClientValidationEnabled" value="true" />
        <add key="PayPalClientId" value="«ppid»" />
        <add key="PayPalClientSecret" value="«pp»" />
        <add key="ApiSecretKey" value="«sk»" />
        <add key="reCaptchaSiteKey" value="6L«site»" />
      </appSettings>
      <system.web>
        <compilation debug="false" targetFramework="4.8" />
        <httpRuntime targetFramework="4.8" maxRequestLength="20480" />
        <customErrors mode="RemoteOnly" defaultRedirect="~/Error" />
      </system.web>
      <system.net>
        <mailSettings>
          <smtp deliveryMethod="Network" from="shop">
            <network host="smtp.strato.de" port="587" userName="shop-orders" password="«mp»" enableSsl="true" />
          </smtp>
        </mailSettings>
      </system.net>
    </configuration>
    ''', host=IP(host), p=P(p), ppid="A" + s(r, 79, ALNUM + "-_"), pp=K(pp), sk=K(sk), site=s(r, 38, B64URL), mp=P(mp))


def d_spring_props(r):
    host = ip4(r)
    p = pw(r, "!*-_.#")
    mu = email(r, "gmail.com")
    mp = s(r, 16, LOWER)
    jsec = b64_secret(r, 64)
    gcid = f"{r.randint(10**11, 10**12)}-{s(r, 32, LOWER + DIGITS)}.apps.googleusercontent.com"
    gsec = "GOCSPX-" + s(r, 28, B64URL)
    return "src/main/resources/application-prod.properties", T('''
    server.port=8080
    server.servlet.context-path=/api

    spring.datasource.url=jdbc:mysql://«host»:3306/library?useSSL=true&serverTimezone=Europe/Warsaw
    spring.datasource.username=library
    spring.datasource.password=«p»
    spring.jpa.hibernate.ddl-auto=validate
    spring.jpa.show-sql=false

    spring.mail.host=smtp.gmail.com
    spring.mail.port=587
    spring.mail.username=«mu»
    spring.mail.password=«mp»
    spring.mail.properties.mail.smtp.auth=true
    spring.mail.properties.mail.smtp.starttls.enable=true

    # JWT
    app.jwt.secret=«jsec»
    app.jwt.expiration-ms=86400000

    # Google login
    spring.security.oauth2.client.registration.google.client-id=«gcid»
    spring.security.oauth2.client.registration.google.client-secret=«gsec»
    spring.security.oauth2.client.registration.google.scope=openid,profile,email

    # actuator
    management.endpoints.web.exposure.include=health,info
    logging.level.org.springframework.security=INFO
    ''', host=IP(host), p=P(p), mu=E(mu), mp=P(mp), jsec=K(jsec), gcid=gcid, gsec=K(gsec))


def d_laravel_env(r):
    app_key = "base64:" + b64_secret(r, 32)
    host = ip4(r)
    p = pw(r, "!*-_.#")
    mu = email(r, company_domain(r))
    mp = pw(r, "!*-_.")
    akid, sec = aws_akid(r), aws_secret(r)
    push = hexs(r, 20)
    rp = pw_random(r, 16, "")
    sk = stripe(r)
    mgs = mailgun(r)
    shp = shopify_tok(r)
    return ".env", T('''
    APP_NAME=Laravel
    APP_ENV=production
    APP_KEY=«app_key»
    APP_DEBUG=false
    APP_URL=https://crm.local-bakery.shop

    LOG_CHANNEL=stack
    LOG_LEVEL=debug

    DB_CONNECTION=mysql
    DB_HOST=«host»
    DB_PORT=3306
    DB_DATABASE=crm
    DB_USERNAME=crm
    DB_PASSWORD="«p»"

    BROADCAST_DRIVER=pusher
    CACHE_DRIVER=file
    QUEUE_CONNECTION=sync
    SESSION_DRIVER=file
    SESSION_LIFETIME=120

    REDIS_HOST=127.0.0.1
    REDIS_PASSWORD=«rp»
    REDIS_PORT=6379

    STRIPE_KEY=pk_live_«pkr»
    STRIPE_SECRET=«sk»

    MAILGUN_DOMAIN=mg.local-bakery.shop
    MAILGUN_SECRET=«mgs»

    SHOPIFY_SHOP=local-bakery.myshopify.com
    SHOPIFY_ACCESS_TOKEN=«shp»

    MAIL_MAILER=smtp
    MAIL_HOST=smtp.zoho.com
    MAIL_PORT=587
    MAIL_USERNAME=«mu»
    MAIL_PASSWORD=«mp»
    MAIL_ENCRYPTION=tls
    MAIL_FROM_ADDRESS="${MAIL_USERNAME}"
    MAIL_FROM_NAME="${APP_NAME}"

    AWS_ACCESS_KEY_ID=«akid»
    AWS_SECRET_ACCESS_KEY=«sec»
    AWS_DEFAULT_REGION=eu-west-2
    AWS_BUCKET=crm-uploads

    PUSHER_APP_ID=«pid»
    PUSHER_APP_KEY=«pkey»
    PUSHER_APP_SECRET=«push»
    PUSHER_APP_CLUSTER=eu

    VITE_PUSHER_APP_KEY="${PUSHER_APP_KEY}"
    ''', app_key=K(app_key), host=IP(host), p=P(p), mu=E(mu), mp=P(mp), akid=K(akid), sec=K(sec),
             pid=r.randint(10**6, 10**7), pkey=hexs(r, 20), push=K(push), rp=P(rp), sk=K(sk), mgs=K(mgs),
             pkr=s(r, 24), shp=K(shp))


def d_terraform(r):
    akid, sec = aws_akid(r), aws_secret(r)
    dbp = pw_random(r, 20, "!#*-_")
    cf = s(r, 40, B64URL)
    acct = r.randint(10**11, 10**12 - 1)
    office = ip4(r)
    ddk, dda = hexs(r, 32), hexs(r, 40)
    admin_pw = pw(r, "!#*-_")
    return "infra/main.tf", T('''
    terraform {
      required_providers {
        aws = {
          source  = "hashicorp/aws"
          version = "~> 5.31"
        }
        cloudflare = {
          source  = "cloudflare/cloudflare"
          version = "~> 4.20"
        }
        datadog = {
          source = "DataDog/datadog"
        }
      }
    }

    provider "aws" {
      region     = "eu-central-1"
      access_key = "«akid»"
      secret_key = "«sec»"
    }

    provider "cloudflare" {
      api_token = "«cf»"
    }

    provider "datadog" {
      api_key = "«ddk»"
      app_key = "«dda»"
      api_url = "https://api.datadoghq.eu/"
    }

    variable "grafana_admin_password" {
      type      = string
      default   = "«admin_pw»"
      sensitive = true
    }

    resource "aws_security_group" "db" {
      name = "db-sg"
      ingress {
        from_port   = 5432
        to_port     = 5432
        protocol    = "tcp"
        cidr_blocks = ["10.0.0.0/16", "«office»/32"]
      }
    }

    resource "aws_db_instance" "main" {
      identifier             = "app-db"
      engine                 = "postgres"
      engine_version         = "15.4"
      instance_class         = "db.t3.micro"
      allocated_storage      = 20
      username               = "appadmin"
      password               = "«dbp»"
      kms_key_id             = "arn:aws:kms:eu-central-1:«acct»:key/«kid»"
      storage_encrypted      = true
      vpc_security_group_ids = [aws_security_group.db.id]
      skip_final_snapshot    = true
    }

    resource "cloudflare_record" "api" {
      zone_id = var.zone_id
      name    = "api"
      value   = aws_db_instance.main.address
      type    = "CNAME"
      proxied = true
    }
    ''', akid=K(akid), sec=K(sec), cf=K(cf), office=IP(office), dbp=P(dbp), acct=acct, kid=uuid4(r),
             ddk=K(ddk), dda=K(dda), admin_pw=P(admin_pw))


def d_dockerfile(r):
    key = s(r, 32, HEX)
    p = pw(r, "*-_.")
    m = email(r)
    digest = sha256hex(r)
    npm = npm_tok(r)
    return "Dockerfile", T('''
    FROM python:3.11-slim@sha256:«digest»

    LABEL maintainer="«m»"

    ENV PYTHONDONTWRITEBYTECODE=1 \\
        PYTHONUNBUFFERED=1 \\
        WEATHER_API_KEY=«key» \\
        DB_PASSWORD=«p»

    ARG APP_VERSION=2.1.0
    ARG SENTRY_DSN
    ARG NPM_TOKEN=«npm»

    RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\
        && rm -rf /var/lib/apt/lists/*

    WORKDIR /app
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    COPY . .

    EXPOSE 8000
    HEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1
    CMD ["gunicorn", "-w", "3", "-b", "0.0.0.0:8000", "app:app"]
    ''', digest=digest, m=E(m), key=K(key), p=P(p), npm=K(npm))


def d_makefile(r):
    host = ip4(r)
    p = pw(r, "*-_.")
    pypi = pypi_tok(r)
    do = do_tok(r)
    return "Makefile", T('''
    .PHONY: install test lint build publish deploy registry clean

    PY ?= python3
    SERVER = «host»
    DIGITALOCEAN_ACCESS_TOKEN ?= «do»

    install:
    	$(PY) -m pip install -e ".[dev]"

    test:
    	pytest -q --cov=weatherlib

    lint:
    	ruff check . && mypy weatherlib

    build: clean
    	$(PY) -m build

    publish: build
    	twine upload -u __token__ -p «pypi» dist/*

    deploy:
    	sshpass -p '«p»' rsync -az docs/_build/html/ docs@$(SERVER):/srv/docs/weatherlib/

    registry:
    	doctl auth init -t $(DIGITALOCEAN_ACCESS_TOKEN)
    	doctl registry login

    clean:
    	rm -rf build dist *.egg-info .pytest_cache
    ''', host=IP(host), pypi=K(pypi), p=P(p), do=K(do))


def d_nginx(r):
    ups = [ip4(r) for _ in range(2)]
    allow = ip4(r)
    v6 = ip6(r)
    user = r.choice(FIRST)
    auth = basic_auth(user, pw_human(r))
    lan = priv_ip(r)
    return "nginx/sites-available/shop.conf", T('''
    upstream shop_backend {
        least_conn;
        server «u0»:8000 max_fails=3 fail_timeout=30s;
        server «u1»:8000 max_fails=3 fail_timeout=30s;
        server «lan»:8000 backup;
    }

    server {
        listen 80;
        listen [::]:80;
        server_name shop.kaffeerösterei-berg.de;
        return 301 https://$host$request_uri;
    }

    server {
        listen 443 ssl http2;
        server_name shop.kaffeerösterei-berg.de;

        ssl_certificate     /etc/letsencrypt/live/shop/fullchain.pem;
        ssl_certificate_key /etc/letsencrypt/live/shop/privkey.pem;
        resolver 1.1.1.1 8.8.8.8 valid=300s;

        location / {
            proxy_pass http://shop_backend;
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }

        location /admin/ {
            allow «allow»;
            allow «v6»;
            allow 10.0.0.0/8;
            deny all;
            proxy_pass http://shop_backend;
        }

        location /erp/ {
            # legacy ERP behind basic auth
            proxy_pass https://erp.partner-net.eu/;
            proxy_set_header Authorization "Basic «auth»";
        }
    }
    ''', u0=IP(ups[0]), u1=IP(ups[1]), lan=lan, allow=IP(allow), v6=IP(v6), auth=K(auth))


def d_haproxy(r):
    be = [ip4(r) for _ in range(3)]
    sp = pw(r, "!*-_.")
    up = pw_random(r, 14, "")
    return "haproxy/haproxy.cfg", T('''
    global
        log /dev/log local0
        maxconn 4096
        user haproxy
        group haproxy
        daemon

    defaults
        mode http
        log global
        option httplog
        timeout connect 5s
        timeout client  30s
        timeout server  30s

    userlist api_users
        user grafana insecure-password «up»

    frontend fe_https
        bind *:443 ssl crt /etc/haproxy/certs/site.pem
        acl is_api path_beg /api
        use_backend be_api if is_api
        default_backend be_web

    backend be_web
        balance roundrobin
        server web1 «b0»:80 check
        server web2 «lan»:80 check

    backend be_api
        acl auth_ok http_auth(api_users)
        http-request auth realm api unless auth_ok
        server api1 «b2»:9000 check
        server api2 127.0.0.1:9000 check backup

    listen stats
        bind *:8404
        stats enable
        stats uri /stats
        stats auth admin:«sp»
    ''', up=P(up), b0=IP(be[0]), lan=priv_ip(r), b2=IP(be[2]), sp=P(sp))


def d_systemd(r):
    p = pw(r, "!*-_.")
    tok = glpat(r)
    host = ip4(r)
    return "deploy/worker.service", T('''
    [Unit]
    Description=Invoice worker
    After=network-online.target
    Wants=network-online.target

    [Service]
    Type=simple
    User=invoice
    WorkingDirectory=/opt/invoice-worker
    Environment="DB_PASSWORD=«p»"
    Environment=GITLAB_TOKEN=«tok»
    Environment=PYTHONUNBUFFERED=1
    ExecStart=/opt/invoice-worker/.venv/bin/python -m worker --db-host «host» --queue invoices
    Restart=on-failure
    RestartSec=5

    [Install]
    WantedBy=multi-user.target
    ''', p=P(p), tok=K(tok), host=IP(host))


def d_crontab(r):
    m = email(r)
    p1 = pw(r, "*-_.")
    p2 = pw_random(r, 12, "")
    host = ip4(r)
    return "cron/backup.crontab", T('''
    SHELL=/bin/bash
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    MAILTO=«m»

    # m h  dom mon dow   command
    15 3 * * * mysqldump -u backup -p«p1» --all-databases | gzip > /backup/mysql-$(date +\\%F).sql.gz
    0 4 * * * find /backup -name "*.sql.gz" -mtime +14 -delete
    */5 * * * * curl -fsS -u monitor:«p2» "https://«host»/ping/cron-backup" > /dev/null
    @reboot /usr/local/bin/docker-compose -f /opt/stack/docker-compose.yml up -d
    ''', m=E(m), p1=P(p1), p2=P(p2), host=IP(host))


def d_notebook(r):
    oai = openai_key(r)
    hf = hf_tok(r)
    wb = hexs(r, 40)
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": [
            "# Fine-tuning experiments\n", "\n", "Quick notebook to compare the base model with the LoRA run."]},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": [
            "import os\n", "import openai\n", "from huggingface_hub import login\n", "\n",
            "openai.api_key = \"«oai»\"\n", "login(token=\"«hf»\")\n", "\n",
            "import wandb\n", "wandb.login(key=\"«wb»\")"]},
        {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [{
            "name": "stdout", "output_type": "stream", "text": [
                "Token is valid (permission: write).\n", "Login successful\n"]}], "source": [
            "from datasets import load_dataset\n", "ds = load_dataset(\"imdb\", split=\"train[:2000]\")\n",
            "ds"]},
        {"cell_type": "code", "execution_count": 3, "metadata": {}, "outputs": [], "source": [
            "def ask(prompt):\n", "    r = openai.ChatCompletion.create(model=\"gpt-3.5-turbo\",\n",
            "                                     messages=[{\"role\": \"user\", \"content\": prompt}])\n",
            "    return r.choices[0].message.content"]},
    ]
    nb = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                     "name": "python3"},
                                      "language_info": {"name": "python", "version": "3.10.12"}},
          "nbformat": 4, "nbformat_minor": 5}
    text = json.dumps(nb, indent=1, ensure_ascii=False)
    return "notebooks/finetune_compare.ipynb", F(text, oai=K(oai), hf=K(hf), wb=K(wb))


def d_readme(r):
    key = "ak_live_" + s(r, 32)
    adm = email(r, company_domain(r))
    apw = pw_human(r)
    host = ip4(r)
    maint = email(r)
    return "README.md", T('''
    # inventory-lite

    Tiny self-hosted inventory tracker for small shops. Flask + SQLite, no build step.

    ## Quick start

    ```bash
    git clone https://github.com/ninjafox/inventory-lite.git
    cd inventory-lite
    pip install -r requirements.txt
    python run.py
    ```

    Open http://127.0.0.1:5000 and log in with the seeded account:

    | user | password |
    |------|----------|
    | `«adm»` | `«apw»` |

    (change it under *Settings → Account* right away)

    ## API

    Every request needs the `X-Api-Key` header. The demo instance runs at `http://«host»:5000`:

    ```bash
    curl -H "X-Api-Key: «key»" http://«host»:5000/api/items?low_stock=1
    ```

    Replace the key with your own from *Settings → API*; `YOUR_API_KEY` in the examples below
    means the same thing:

    ```bash
    curl -X POST -H "X-Api-Key: YOUR_API_KEY" -d '{"sku":"A-100","qty":5}' http://localhost:5000/api/items
    ```

    ## Contact

    Bugs and ideas: open an issue or write to «maint».
    ''', adm=E(adm), apw=P(apw), host=IP(host), key=K(key), maint=E(maint))


def d_rst_docs(r):
    key = s(r, 32, HEX)
    p = pw(r, "!*-_.")
    m = email(r)
    return "docs/configuration.rst", T('''
    Configuration
    =============

    ``feedmill`` reads ``~/.config/feedmill/config.ini``. A minimal file looks like this:

    .. code-block:: ini

        [feedmill]
        refresh_minutes = 30
        max_items = 200

        [pocket]
        access_token = «key»

        [smtp]
        host = smtp.posteo.de
        port = 587
        user = «m»
        password = «p»

    .. note::

       The values above are from my own setup; generate your own token with
       ``feedmill auth pocket``. Never paste a real token into a bug report.

    Environment variables
    ---------------------

    ``FEEDMILL_SMTP_PASSWORD``
        Overrides ``[smtp] password``. Useful with ``pass``::

            export FEEDMILL_SMTP_PASSWORD="$(pass show mail/posteo)"

    ``FEEDMILL_CONFIG``
        Path to an alternative config file.
    ''', key=K(key), m=E(m), p=P(p))


def d_csv_fixture(r):
    rows = []
    kw = {}
    for i in range(4):
        first, last = person(r)
        kw[f"e{i}"] = E(email(r))
        kw[f"p{i}"] = P(pw(r, "!*-_.#"))
        kw[f"ip{i}"] = IP(ip4(r) if i != 2 else ip6(r))
        rows.append(f"{first.title()},{last.title()},«e{i}»,«p{i}»,«ip{i}»,{r.randint(2019, 2024)}-0{r.randint(1, 9)}-1{r.randint(0, 9)}")
    rows.insert(2, f"Guest,User,,,{priv_ip(r)},2023-02-11")
    rows = [f"{n},{row}" for n, row in enumerate(rows, 1)]
    body = "\n".join(["id,first_name,last_name,email,password,last_login_ip,created"] + rows)
    return "tests/fixtures/legacy_users.csv", F(body, **kw) + "\n"


def d_mysqldump(r):
    host = ip4(r)
    adm = email(r)
    u2 = email(r)
    site = email(r, company_domain(r))
    smtp_pw = pw(r, "!*-_.#")
    h1 = "$P$B" + s(r, 30, ALNUM + "./")
    h2 = "$P$B" + s(r, 30, ALNUM + "./")
    return "backup/wp_site.sql", T('''
    -- MySQL dump 10.13  Distrib 8.0.35, for Linux (x86_64)
    --
    -- Host: «host»    Database: wp_site
    -- ------------------------------------------------------
    -- Server version	8.0.35-0ubuntu0.22.04.1

    /*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
    /*!40101 SET NAMES utf8mb4 */;

    --
    -- Dumping data for table `wp_options`
    --

    LOCK TABLES `wp_options` WRITE;
    INSERT INTO `wp_options` VALUES (1,'siteurl','https://gartenfreunde-nord.de','yes'),(2,'home','https://gartenfreunde-nord.de','yes'),(3,'blogname','Gartenfreunde Nord','yes'),(6,'admin_email','«site»','yes'),(98,'wp_mail_smtp','a:2:{s:4:\\"mail\\";a:1:{s:6:\\"mailer\\";s:4:\\"smtp\\";}s:4:\\"smtp\\";a:3:{s:4:\\"host\\";s:17:\\"smtp.ionos.de\\";s:4:\\"user\\";s:24:\\"«site»\\";s:4:\\"pass\\";s:12:\\"«smtp_pw»\\";}}','yes');
    UNLOCK TABLES;

    --
    -- Dumping data for table `wp_users`
    --

    LOCK TABLES `wp_users` WRITE;
    INSERT INTO `wp_users` VALUES (1,'admin','«h1»','admin','«adm»','','2021-04-02 09:12:44','',0,'admin'),(2,'heike','«h2»','heike','«u2»','','2022-08-19 17:03:10','',0,'Heike');
    UNLOCK TABLES;

    /*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
    -- Dump completed on 2024-02-03  2:00:01
    ''', host=IP(host), site=E(site), smtp_pw=P(smtp_pw), h1=h1, h2=h2, adm=E(adm), u2=E(u2))


def d_log_excerpt(r):
    ips = [ip4(r) for _ in range(4)]
    v6 = ip6(r)
    tok = s(r, 40, ALNUM)
    who = email(r)
    lan = priv_ip(r)
    return "logs/incident-2024-03-11.log", T('''
    # excerpt attached to incident ticket, auth.log + app log
    Mar 11 03:14:07 web01 sshd[21877]: Failed password for root from «i0» port 52144 ssh2
    Mar 11 03:14:15 web01 sshd[21903]: Invalid user oracle from «i1» port 40022
    Mar 11 03:15:01 web01 CRON[21950]: pam_unix(cron:session): session opened for user root by (uid=0)
    Mar 11 03:17:42 web01 sshd[22011]: Accepted publickey for deploy from «lan» port 61234 ssh2
    2024-03-11T03:18:02.114Z INFO  [http] «i2» - "GET /api/v2/export?format=csv&access_token=«tok» HTTP/1.1" 200 48213
    2024-03-11T03:18:05.870Z WARN  [auth] login failed for «who» from «v6» (reason=bad_password)
    2024-03-11T03:18:09.001Z INFO  [http] «i3» - "POST /api/v2/login HTTP/1.1" 401 87
    2024-03-11T03:18:09.530Z INFO  [http] 127.0.0.1 - "GET /healthz HTTP/1.1" 200 2
    ''', i0=IP(ips[0]), i1=IP(ips[1]), i2=IP(ips[2]), i3=IP(ips[3]), v6=IP(v6), tok=K(tok), who=E(who), lan=lan)


def d_mbox(r):
    frm = email(r)
    to = f"anfrage@{r.choice(['dachdeckerei-müller.de', 'bedachungen-köhler.de', 'dachbau-größ.de'])}"
    cc = email(r)
    relay = ip4(r)
    origin = ip4(r)
    first, last = person(r)
    return "data/mail/inbox.mbox", T('''
    From «frm» Tue Feb 13 09:41:22 2024
    Return-Path: <«frm»>
    Received: from mail-out.ispmail.net (mail-out.ispmail.net [«relay»])
    	by mx1.mailhost.de (Postfix) with ESMTPS id 4TZ2kq0Xw1z9sRk
    	for <«to»>; Tue, 13 Feb 2024 09:41:22 +0100 (CET)
    Received: from [192.168.1.23] (dyn-«odash».customer.isp.net [«origin»])
    	by mail-out.ispmail.net with ESMTPSA id 8cJd6kQ1; Tue, 13 Feb 2024 09:41:20 +0100
    From: «fname» <«frm»>
    To: «to»
    Cc: «cc»
    Subject: Re: Angebot Dachrinne
    Date: Tue, 13 Feb 2024 09:41:18 +0100
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8
    Content-Transfer-Encoding: 8bit

    Hallo,

    danke für das Angebot. Passt für uns, bitte den Termin nächste Woche
    bestätigen. Rückfragen gern auch an meinen Mann in Kopie.

    Viele Grüße
    «fname»
    ''', frm=E(frm), relay=IP(relay), to=E(to), origin=IP(origin), odash=origin.replace(".", "-"),
             fname=f"{first.title()} {last.title()}", cc=E(cc))


def d_npmrc_pypirc(r):
    npm = npm_tok(r)
    pypi = pypi_tok(r)
    tp = pw(r, "!*-_.#")
    return "ci/publish-config.sh", T('''
    #!/usr/bin/env bash
    # writes the registry credentials the release job needs
    set -euo pipefail

    cat > ~/.npmrc <<EOF
    registry=https://registry.npmjs.org/
    //registry.npmjs.org/:_authToken=«npm»
    @acme:registry=https://npm.pkg.github.com
    //npm.pkg.github.com/:_authToken=${GH_PACKAGES_TOKEN}
    EOF

    cat > ~/.pypirc <<'EOF'
    [distutils]
    index-servers =
        pypi
        testpypi

    [pypi]
    username = __token__
    password = «pypi»

    [testpypi]
    repository = https://test.pypi.org/legacy/
    username = acme-bot
    password = «tp»
    EOF

    chmod 600 ~/.npmrc ~/.pypirc
    echo "registry config written"
    ''', npm=K(npm), pypi=K(pypi), tp=P(tp))


def d_netrc_gitcreds(r):
    user = r.choice(FIRST) + r.choice(LAST)
    gh = github_pat(r)
    p = pw(r, "!*-_.#")
    host = ip4(r)
    gl = glpat(r)
    hk_mail = email(r)
    hk = heroku_tok(r)
    return "dotfiles/setup-creds.sh", T('''
    #!/bin/sh
    # bootstrap a new laptop: git, heroku + ftp creds
    git config --global user.name "«user»"
    git config --global credential.helper store

    cat > ~/.git-credentials <<EOF
    https://«user»:«gh»@github.com
    https://oauth2:«gl»@gitlab.com
    EOF

    cat > ~/.netrc <<EOF
    machine api.heroku.com
      login «hk_mail»
      password «hk»
    machine git.heroku.com
      login «hk_mail»
      password «hk»
    machine «host»
    login backup
    password «p»
    EOF
    chmod 600 ~/.netrc ~/.git-credentials
    ''', user=user, gh=K(gh), gl=K(gl), host=IP(host), p=P(p), hk_mail=E(hk_mail), hk=K(hk))


def d_wireguard(r):
    priv = b64_secret(r, 32)
    pub = b64_secret(r, 32)
    psk = b64_secret(r, 32)
    ep = ip4(r)
    return "vpn/wg0.conf", T('''
    [Interface]
    # laptop
    PrivateKey = «priv»
    Address = 10.8.0.3/24, fd86:ea04:1115::3/64
    DNS = 1.1.1.1

    [Peer]
    # vps in frankfurt
    PublicKey = «pub»
    PresharedKey = «psk»
    Endpoint = «ep»:51820
    AllowedIPs = 0.0.0.0/0, ::/0
    PersistentKeepalive = 25
    ''', priv=K(priv), pub=pub, psk=K(psk), ep=IP(ep))


def d_postman(r):
    tok = jwt(r, "RS256", email="qa-bot", scope="orders:read orders:write")
    key = s(r, 48, ALNUM)
    host = ip4(r)
    coll = {
        "info": {"_postman_id": uuid4(r), "name": "Orders API",
                 "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [
            {"name": "List orders", "request": {
                "method": "GET",
                "header": [{"key": "Authorization", "value": "Bearer «tok»", "type": "text"}],
                "url": {"raw": "http://«host»:8080/v1/orders?limit=20", "protocol": "http",
                        "host": ["«host»"], "port": "8080", "path": ["v1", "orders"]}}},
            {"name": "Create webhook", "request": {
                "method": "POST",
                "header": [{"key": "X-Api-Key", "value": "«key»", "type": "text"},
                           {"key": "Content-Type", "value": "application/json"}],
                "body": {"mode": "raw", "raw": "{\n  \"url\": \"https://hooks.zapier.com/hooks/catch/123/abc/\"\n}"},
                "url": {"raw": "http://«host»:8080/v1/webhooks"}}},
        ],
        "variable": [{"key": "baseUrl", "value": "http://localhost:8080"}],
    }
    text = json.dumps(coll, indent="\t", ensure_ascii=False)
    return "postman/Orders.postman_collection.json", F(text, tok=K(tok), key=K(key), host=IP(host))


def d_helm_values(r):
    p = pw(r, "!*-_.")
    sk = s(r, 50, ALNUM)
    smtp = sendgrid(r)
    frm = role_email(r, "alerts")
    rp = pw_random(r, 22, "")
    return "charts/sentry-lite/values-prod.yaml", T('''
    replicaCount: 2

    image:
      repository: ghcr.io/acme/tracker
      tag: "3.4.1"
      pullPolicy: IfNotPresent

    ingress:
      enabled: true
      className: nginx
      hosts:
        - host: errors.acme-tools.net
          paths: ["/"]

    postgresql:
      enabled: true
      auth:
        username: tracker
        password: "«p»"
        existingSecret: ""

    redis:
      enabled: true
      auth:
        password: «rp»

    config:
      secretKey: "«sk»"
      mail:
        host: smtp.sendgrid.net
        port: 587
        username: apikey
        password: "«smtp»"
        from: "«frm»"

    resources:
      limits:
        cpu: 500m
        memory: 512Mi
    ''', p=P(p), sk=K(sk), smtp=K(smtp), frm=E(frm), rp=P(rp))


def d_tomcat_users(r):
    p1, p2, p3 = pw(r, "!*-_.#"), pw(r, "!*-_.#"), pw_random(r, 14, "")
    return "conf/tomcat-users.xml", T('''
    <?xml version="1.0" encoding="UTF-8"?>
    <!--
      Licensed to the Apache Software Foundation (ASF) under one or more
      contributor license agreements.  See the NOTICE file distributed with
      this work for additional information regarding copyright ownership.
    -->
    <tomcat-users xmlns="http://tomcat.apache.org/xml"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  xsi:schemaLocation="http://tomcat.apache.org/xml tomcat-users.xsd"
                  version="1.0">
    <!--
      By default, no user is included in the "manager-gui" role required
      to operate the "/manager/html" web application.  If you wish to use this app,
      you must define such a user - the username and password are arbitrary.

      <user username="admin" password="<must-be-changed>" roles="manager-gui"/>
      <user username="robot" password="<must-be-changed>" roles="manager-script"/>
    -->
      <role rolename="manager-gui"/>
      <role rolename="manager-script"/>
      <role rolename="admin-gui"/>
      <user username="tomcat" password="«p1»" roles="manager-gui,admin-gui"/>
      <user username="jenkins" password="«p2»" roles="manager-script"/>
      <user username="monitor" password="«p3»" roles="manager-status"/>
    </tomcat-users>
    ''', p1=P(p1), p2=P(p2), p3=P(p3))


# ============================================================================================
# Part 4: documents that hold hard negatives only
# ============================================================================================


def d_neg_settings_py(r):
    return "core/settings.py", T('''
    """Application settings. Everything secret comes from the environment."""
    import os
    import uuid
    from dataclasses import dataclass, field
    from getpass import getpass
    from gettext import gettext as _

    PASSWORD_MIN_LENGTH = 12
    PASSWORD_LABEL = _("Password")
    LOG_MASK = "********"


    @dataclass
    class Settings:
        db_host: str = os.getenv("DB_HOST", "«lan»")
        db_user: str = os.getenv("DB_USER", "app")
        db_password: str = os.environ.get("DB_PASSWORD", "")
        smtp_password: str | None = None
        redis_url: str = "redis://127.0.0.1:6379/0"
        # the AWS docs' sample credentials, only used by the moto-based tests
        aws_access_key_id: str = os.getenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        aws_secret_access_key: str = os.getenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        stripe_secret_key: str = os.getenv("STRIPE_SECRET_KEY", "sk_live_REPLACE_ME")
        openai_api_key: str = os.getenv("OPENAI_API_KEY", "<your-openai-api-key>")
        slack_webhook_url: str = "https://hooks.slack.com/services/XXXXXXXXX/XXXXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX"
        admin_password_hash: str = "«argon»"
        reset_password_url: str = "/auth/reset-password/{token}"
        nameservers: tuple = ("8.8.8.8", "1.1.1.1", "9.9.9.9")
        bind_address: str = "0.0.0.0"
        instance_id: str = field(default_factory=lambda: str(uuid.uuid4()))
        default_tenant: str = "«tenant»"


    # sha256 of the bundled GeoLite2 database, checked at startup
    GEOIP_DB_SHA256 = "«sha»"
    # git commit the image was built from
    BUILD_COMMIT = "«commit»"
    # md5 checksum of the default avatar, used for cache busting
    DEFAULT_AVATAR_MD5 = "«md5»"


    def ask_db_password() -> str:
        return os.environ.get("DB_PASSWORD") or getpass("Database password: ")


    def masked(value: str) -> str:
        return value[:2] + "*" * max(len(value) - 2, 0) if value else ""
    ''', lan=priv_ip(r), argon=f"$argon2id$v=19$m=65536,t=3,p=4${s(r, 22, B64[:-2])}${s(r, 43, B64[:-2])}",
             tenant=uuid4(r), sha=sha256hex(r), commit=sha1hex(r), md5=md5hex(r))


def d_neg_java_tls(r):
    return "src/main/java/com/acme/gateway/TlsConfig.java", T('''
    package com.acme.gateway;

    import java.net.InetAddress;
    import java.net.UnknownHostException;
    import java.util.Map;
    import java.util.UUID;

    import org.springframework.beans.factory.annotation.Autowired;
    import org.springframework.beans.factory.annotation.Value;
    import org.springframework.context.annotation.Bean;
    import org.springframework.context.annotation.Configuration;
    import org.springframework.security.crypto.password.PasswordEncoder;

    @Configuration
    public class TlsConfig {

        /** sha256WithRSAEncryption, ecdsa-with-SHA384, commonName */
        public static final Map<String, String> OIDS = Map.of(
                "1.2.840.113549.1.1.11", "SHA256withRSA",
                "1.2.840.10045.4.3.3", "SHA384withECDSA",
                "2.5.4.3", "CN");

        public static final String CLIENT_VERSION = "5.2.14.1";
        public static final String METADATA_HOST = "169.254.169.254";

        @Value("${gateway.keystore.password}")
        private String keystorePassword;

        @Value("${gateway.truststore.password:}")
        private String truststorePassword;

        @Autowired
        private PasswordEncoder passwordEncoder;

        @Bean
        public InetAddress adminBindAddress() throws UnknownHostException {
            return InetAddress.getByAddress(new byte[] {(byte) 192, (byte) 168, 10, 1});
        }

        @Bean
        public String instanceId() {
            return UUID.fromString("«uid»").toString();
        }

        @Override
        public String toString() {
            return "TlsConfig{keystorePassword=****, loopback=127.0.0.1}";
        }

        public String hash(String rawPassword) {
            return passwordEncoder.encode(rawPassword);
        }
    }
    ''', uid=uuid4(r))


def d_neg_c_ssdp(r):
    return "firmware/net/discovery.c", T('''
    /*
     * SSDP / mDNS discovery for the sensor board.
     * Firmware 2.1.0.4 - tested against lwIP 2.1.3
     */
    #include <string.h>
    #include "lwip/sockets.h"
    #include "lwip/inet.h"

    #define FW_VERSION        "2.1.0.4"
    #define SSDP_GROUP        "239.255.255.250"
    #define SSDP_PORT         1900
    #define MDNS_GROUP        "224.0.0.251"
    #define AP_MODE_ADDR      "192.168.4.1"
    #define AP_MODE_NETMASK   "255.255.255.0"
    #define BROADCAST_ADDR    "255.255.255.255"
    #define CARRIER_NAT_GW    "100.64.0.1"      /* LTE modem side */
    /* docs use 203.0.113.7 as the example cloud endpoint */

    static const char *M_SEARCH =
        "M-SEARCH * HTTP/1.1\\r\\n"
        "HOST: 239.255.255.250:1900\\r\\n"
        "MAN: \\"ssdp:discover\\"\\r\\n"
        "MX: 2\\r\\n"
        "ST: urn:schemas-upnp-org:device:Basic:1\\r\\n\\r\\n";

    int discovery_open(void)
    {
        int sock = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in local = {0};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(INADDR_ANY);
        local.sin_port = htons(SSDP_PORT);
        if (bind(sock, (struct sockaddr *)&local, sizeof(local)) < 0) {
            closesocket(sock);
            return -1;
        }
        struct ip_mreq mreq;
        mreq.imr_multiaddr.s_addr = inet_addr(SSDP_GROUP);
        mreq.imr_interface.s_addr = inet_addr("0.0.0.0");
        setsockopt(sock, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq));
        return sock;
    }

    int discovery_probe(int sock)
    {
        struct sockaddr_in dst = {0};
        dst.sin_family = AF_INET;
        dst.sin_port = htons(SSDP_PORT);
        dst.sin_addr.s_addr = inet_addr(SSDP_GROUP);
        return sendto(sock, M_SEARCH, strlen(M_SEARCH), 0, (struct sockaddr *)&dst, sizeof(dst));
    }
    ''')


def d_neg_yarn_lock(r):
    def entry(spec, name, ver):
        sha = sha1hex(r)
        integ = base64.b64encode(hashlib.sha512(str(r.random()).encode()).digest()).decode()
        return (f'"{spec}":\n  version "{ver}"\n'
                f'  resolved "https://registry.yarnpkg.com/{name}/-/{name.split("/")[-1]}-{ver}.tgz#{sha}"\n'
                f'  integrity sha512-{integ}\n')
    parts = [
        "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n",
        entry("@babel/code-frame@^7.22.13", "@babel/code-frame", "7.23.5"),
        '  dependencies:\n    "@babel/highlight" "^7.23.4"\n    chalk "^2.4.2"\n\n',
        entry("@babel/core@^7.23.0", "@babel/core", "7.23.7"),
        "\n",
        entry("@types/node@*, @types/node@^20.10.0", "@types/node", "20.10.6"),
        '  dependencies:\n    undici-types "~5.26.4"\n\n',
        entry("axios@^1.6.2", "axios", "1.6.5"),
        "\n",
        entry("ip@^2.0.0", "ip", "2.0.1"),
        "\n",
        entry("semver@^6.3.1", "semver", "6.3.1"),
        "\n",
        entry("uuid@^9.0.1", "uuid", "9.0.1"),
    ]
    return "yarn.lock", "".join(parts)


def d_neg_ssh_guide(r):
    pub1 = ssh_pub(r, "deploy@ci-runner")
    pub2 = ssh_pub(r, "anna@thinkpad")
    cert = public_pem(r, "CERTIFICATE")
    pubkey = public_pem(r, "PUBLIC KEY")
    fp = b64url(hashlib.sha256(str(r.random()).encode()).digest())
    return "docs/ops/ssh-access.md", T('''
    # SSH access to the build machines

    We only use key-based logins. Passwords are disabled in `sshd_config`
    (`PasswordAuthentication no`).

    ## 1. Create a key

    ```bash
    ssh-keygen -t ed25519 -C "anna@thinkpad"
    cat ~/.ssh/id_ed25519.pub
    ```

    The public key looks like this (this one is safe to share, it is *public*):

    ```
    «pub2»
    ```

    Send it to #infra and someone will add it to `authorized_keys` on the runners:

    ```
    # /home/deploy/.ssh/authorized_keys
    «pub1»
    ```

    ## 2. Connect

    ```bash
    ssh deploy@build-01.internal
    ssh -J bastion@jump.internal deploy@build-02.internal
    ssh pi@192.168.1.50          # the label printer in the office
    git clone git@github.com:acme-tools/pipelines.git
    ```

    On first connect, compare the host key fingerprint with the one below:

    ```
    ED25519 key fingerprint is SHA256:«fp».
    ```

    ## 3. Internal CA

    Runners trust our internal CA for the artifact cache. Its certificate (public):

    ```
    «cert»
    ```

    and the signing service's public key, used to verify release manifests:

    ```
    «pubkey»
    ```

    Retina icons for the wiki live in `assets/icons/ssh@2x.png` and `assets/icons/key@3x.png`.
    ''', pub1=pub1, pub2=pub2, fp=fp.rstrip("="), cert=cert, pubkey=pubkey)


def d_neg_helm_frontend(r):
    pk = stripe(r, "pk_live_")
    site = "6L" + s(r, 38, B64URL)
    cid = f"{r.randint(10**11, 10**12)}-{s(r, 32, LOWER + DIGITS)}.apps.googleusercontent.com"
    dsn = f"https://{hexs(r, 32)}@o{r.randint(10**5, 10**7)}.ingest.sentry.io/{r.randint(10**6, 10**7)}"
    digest = sha256hex(r)
    acct = r.randint(10**11, 10**12 - 1)
    return "charts/storefront/templates/deployment.yaml", T('''
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {{ include "storefront.fullname" . }}
      annotations:
        eks.amazonaws.com/role-arn: arn:aws:iam::«acct»:role/storefront
        kms.acme.io/key-arn: arn:aws:kms:eu-west-1:«acct»:key/«kid»
    spec:
      replicas: {{ .Values.replicaCount }}
      selector:
        matchLabels:
          app: storefront
      template:
        metadata:
          labels:
            app: storefront
        spec:
          containers:
            - name: web
              image: ghcr.io/acme/storefront@sha256:«digest»
              ports:
                - containerPort: 3000
              env:
                # public by design, shipped to the browser
                - name: NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY
                  value: "«pk»"
                - name: NEXT_PUBLIC_RECAPTCHA_SITE_KEY
                  value: "«site»"
                - name: NEXT_PUBLIC_GOOGLE_CLIENT_ID
                  value: "«cid»"
                - name: NEXT_PUBLIC_SENTRY_DSN
                  value: "«dsn»"
                - name: API_BASE_URL
                  value: "http://10.96.14.20:8080"
                # secrets
                - name: DATABASE_PASSWORD
                  valueFrom:
                    secretKeyRef:
                      name: storefront-db
                      key: password
                - name: SESSION_SECRET
                  value: {{ .Values.session.secret | quote }}
                - name: REDIS_PASSWORD
                  value: "${REDIS_PASSWORD}"
              livenessProbe:
                httpGet:
                  path: /api/health
                  port: 3000
          dnsConfig:
            nameservers: ["1.1.1.1", "8.8.4.4"]
    ''', acct=acct, kid=uuid4(r), digest=digest, pk=pk, site=site, cid=cid, dsn=dsn)


# ============================================================================================
# the set
# ============================================================================================

_DOCS = [
    # common languages
    d_discord_bot, d_scraper_login, d_smtp_homework, d_flask_app, d_boto3_script,
    d_telegram_gpt, d_pytest_conftest, d_paramiko, d_express_server, d_discordjs,
    d_firebase_js, d_ts_apiclient, d_java_jdbc, d_javamail, d_android_constants_java,
    d_csharp_ado, d_unity_playfab, d_php_config, d_wp_config, d_phpmailer,
    d_go_bot, d_go_config_test, d_esp32, d_curl_cpp, d_ruby_mail,
    d_ruby_octokit, d_deploy_sh, d_backup_cron_sh, d_bank_homework, d_openai_snippet,
    d_slack_bolt, d_selenium_accounts, d_jest_seed, d_next_sendgrid, d_android_retrofit,
    d_csharp_discord, d_laravel_seeder, d_go_ssh, d_docker_run_sh, d_django_settings,
    d_twilio_js, d_npmrc_pypirc, d_netrc_gitcreds,
    d_neg_settings_py, d_neg_java_tls, d_neg_c_ssdp,
    # long-tail languages
    d_kotlin_constants, d_swift_config, d_rust_reqwest, d_scala_spark, d_dart_flutter,
    d_elixir_config, d_haskell_smtp, d_lua_nodemcu, d_perl_dbi, d_r_script,
    d_julia_script, d_jenkinsfile, d_powershell, d_objc_appdelegate, d_vbnet,
    d_fsharp, d_clojure_edn, d_sql_seed,
    # config / infra / data
    d_compose, d_gh_actions, d_k8s_secret, d_appsettings, d_gcp_sa_json,
    d_bot_toml, d_odoo_conf, d_maven_settings, d_web_config, d_tomcat_users,
    d_spring_props, d_laravel_env, d_terraform, d_dockerfile, d_makefile,
    d_nginx, d_haproxy, d_systemd, d_crontab, d_notebook,
    d_readme, d_rst_docs, d_csv_fixture, d_mysqldump, d_log_excerpt,
    d_mbox, d_postman, d_helm_values, d_wireguard,
    d_neg_yarn_lock, d_neg_ssh_guide, d_neg_helm_frontend,
]


def testset13_documents(seed: int = SEED) -> list[LabelledDoc]:
    docs = []
    for i, fn in enumerate(_DOCS, 1):
        r = random.Random(f"testset13:{seed}:{fn.__name__}")
        path, marked = fn(r)
        docs.append(_parse(f"t13-{i:02d}/{path}", marked))
    return docs


# --------------------------------------------------------------------------------------------
# self-check
# --------------------------------------------------------------------------------------------

_RESERVED_MAIL = re.compile(
    r"@(?:[^@\s]+\.)?(?:example\.(?:com|net|org)|example|test|invalid|localhost|local)$", re.I)


def _check(seed: int = SEED) -> list[LabelledDoc]:
    docs = testset13_documents(seed)
    names = [d.name for d in docs]
    assert len(names) == len(set(names)), "duplicate document names"
    assert len({fn.__name__ for fn in _DOCS}) == len(_DOCS), "duplicate document functions"
    for d in docs:
        assert "⟦" not in d.text and "⟧" not in d.text, f"{d.name}: marker left in text"
        assert "«" not in d.text and "»" not in d.text, f"{d.name}: template slot left in text"
        prev_end = -1
        for kind, a, b in sorted(d.spans, key=lambda sp: sp[1]):
            v = d.text[a:b]
            assert 0 <= a < b <= len(d.text), f"{d.name}: bad span {a}:{b}"
            assert v == v.strip(), f"{d.name}: whitespace around {kind} {v!r}"
            assert a >= prev_end, f"{d.name}: overlapping spans at {a}"
            prev_end = b
            if kind == "ip_address":
                assert is_public(v), f"{d.name}: planted IP not public: {v}"
            elif kind == "email":
                assert "@" in v and not _RESERVED_MAIL.search(v), f"{d.name}: bad email {v}"
            elif kind == "key":
                assert "EXAMPLE" not in v, f"{d.name}: example key planted {v}"
            elif kind == "password":
                assert v.lower() not in {"password", "admin", "changeme", "secret", "root"}, (
                    f"{d.name}: dictionary password {v}")
        # every repeat of a planted value inside the document is itself labelled
        starts = {(d.text[a:b], a) for _, a, b in d.spans}
        for v in {d.text[a:b] for _, a, b in d.spans}:
            pos = d.text.find(v)
            while pos != -1:
                assert (v, pos) in starts, f"{d.name}: unlabelled repeat of {v!r} at {pos}"
                pos = d.text.find(v, pos + 1)
    return docs


if __name__ == "__main__":
    _docs = _check()
    _counts = Counter(kind for d in _docs for kind, _, _ in d.spans)
    _neg_only = sum(1 for d in _docs if not d.spans)
    for d in _docs:
        per = Counter(kind for kind, _, _ in d.spans)
        print(f"{d.name:70} {len(d.text.splitlines()):4} lines  {dict(per)}")
    print(f"{len(_docs)} documents ({_neg_only} with hard negatives only), "
          f"{sum(_counts.values())} spans: {dict(sorted(_counts.items()))}")
