"""Held-out test set #3 for PII scrubbing, written blind (without reading the scrubber or the
earlier sets), to measure whether a scrubber generalises to unseen code.

`testset3_documents()` returns 80 `LabelledDoc`s (400 planted spans, ~100 per kind) that look
like files from a crawl of GitHub: mostly ordinary source in many languages (Python, JS/TS, Java, Go, C/C++, C#, PHP, Ruby, Rust,
Kotlin, Swift, Perl, R, PowerShell, shell, SQL) where PII turns up incidentally, plus config,
infra, docs and log files. Secret values are generated from a per-document seeded
`random.Random`, so the set is deterministic.

Labelling policy (what is planted, and exactly which characters a span covers)
------------------------------------------------------------------------------
email       Every real mailbox address: personal, work (with subdomains), any real TLD (incl.
            new gTLDs and IDN TLDs), internationalised domains (Unicode and punycode), GitHub
            noreply and GCP service-account addresses. Span = the address only (no `mailto:`,
            no angle brackets). Not planted: `@decorators`, annotations, `pkg@1.2.3`,
            `image@sha256:...`, `icon@2x.png`, SQL `'user'@'%'`, `user@host` without a TLD,
            `a @ b` matrix products. Reserved example domains (example.com etc.) are not used
            at all, so they are neither positives nor negatives here.
ip_address  Public (globally routable) IPv4 and IPv6 addresses, in any notation (compressed or
            full IPv6, bracketed with a port, with a CIDR suffix). Span = the address only (no
            port, no `/len`, no brackets). NOT planted (hard negatives): private, loopback,
            link-local, unspecified, CGNAT 100.64/10, multicast, broadcast/netmasks, the
            well-known public resolvers (8.8.8.8, 8.8.4.4, 1.1.1.1, 1.0.0.1, 9.9.9.9,
            149.112.112.112, 208.67.222.222, 208.67.220.220, 2001:4860:4860::8888,
            2606:4700:4700::1111), documentation ranges (192.0.2/24, 198.51.100/24,
            203.0.113/24, 2001:db8::/32), dotted version strings (incl. ones that would be valid
            public IPs, e.g. `3.1.4.1`, `Chrome/120.0.0.0`), OIDs (`2.5.4.3`), MAC addresses,
            times, C++ `::`.
key         Cloud/SaaS credentials (AWS key ids and secrets, GitHub/GitLab/Slack/Stripe/Google/
            OpenAI/Anthropic/SendGrid/npm/PyPI/Mailgun/Azure/Telegram/Discord/Shopify/PayPal/
            Hugging Face/DigitalOcean/Datadog/Vault/Databricks/Linear/Atlassian/age/... tokens), webhook URLs'
            secret path, private key blocks (span = `-----BEGIN` .. last dash of the END line,
            also when written on one line with literal `\\n`), JWTs, and high-entropy values
            assigned to secret-like names (SECRET_KEY, jwt_secret, client_secret, WordPress
            keys and salts, WireGuard PrivateKey/PresharedKey, machineKey, APP_KEY value after
            `base64:`). Span = the token only. A provider-shaped token sitting in a password
            slot (`password: ghp_...`, `https://x:glpat-...@host`) is labelled `key`.
            NOT planted: hashes next to sha/md5/digest/checksum/integrity/commit, UUIDs/GUIDs,
            placeholders (`<your-api-key>`, `YOUR_API_KEY`, `xxxx`, `changeme`, `${SECRET}`,
            `{{ secret }}`), public keys / certificates / `ssh-ed25519 AAAA...` lines,
            WireGuard PublicKey, AWS documentation keys containing `EXAMPLE`, key identifiers
            (`private_key_id`, KMS key ARNs/ids, `kid`), password hashes, app/client ids
            (OAuth client ids, Firebase appId/messagingSenderId), public-by-design site keys
            (reCAPTCHA site key), SSH key fingerprints.
password    Literal passwords in assignments, keyword/positional credential arguments,
            setters/builders, config files (INI/YAML/TOML/XML/.env/properties), connection
            strings (`Password=...;`, libpq `password=...`), CLI invocations (`-p'...'`,
            `--password=...`, `curl -u user:pw`), `.pgpass`/`.netrc`, env-var defaults
            (`os.getenv("X", "lit")`, `${VAR:-lit}`, `${db.password:lit}`), commented-out code
            and `password: ...` notes in comments, credentials given in docs prose
            ("log in with `demo` / `<pw>`"), and URL credentials
            (`scheme://user:pass@host`, span = the password part only). Span = the value
            only (no quotes, no key name). NOT planted: identifiers, reads (`os.environ[...]`,
            `getpass()`, `input()`, `read -s`), `None`/`null`/empty, template/env references,
            password hashes (bcrypt, argon2, pbkdf2, ASP.NET Identity), masked values
            (`********`), UI labels and translations of the word "password", placeholders.

Run `python -m tests.pii_testset3` to print the counts and check that every span's text is the
planted value.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import random
import re
import string

from tests.test_pii_labelled import LabelledDoc, _parse

# ----------------------------------------------------------------------------- value makers

_ALNUM = string.ascii_letters + string.digits
_UP = string.ascii_uppercase + string.digits
_LOW = string.ascii_lowercase + string.digits
_HEX = "0123456789abcdef"
_URLSAFE = _ALNUM + "-_"
_B64 = _ALNUM + "+/"


def _s(r: random.Random, alphabet: str, n: int) -> str:
    mixed = any(c.isdigit() for c in alphabet) and any(c.isalpha() for c in alphabet)
    while True:
        v = "".join(r.choice(alphabet) for _ in range(n))
        if not mixed or (any(c.isdigit() for c in v) and any(c.isalpha() for c in v)):
            return v


def _b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def _rb(r: random.Random, n: int) -> bytes:
    return bytes(r.randrange(256) for _ in range(n))


FIRST = ["amelia", "bruno", "chiara", "dmitri", "elif", "farid", "greta", "hiroshi", "ines",
         "jonas", "kavya", "lars", "maren", "nikolai", "oluwaseun", "priya", "quentin", "rosa",
         "sven", "tomasz", "ulla", "valentina", "wei", "xiomara", "yusuf", "zofia", "aiden",
         "beatriz", "colm", "dagny", "emeka", "freya", "gustavo", "hana", "ivo", "jia"]
LAST = ["okafor", "lindqvist", "moreau", "tanaka", "kowalski", "haddad", "fernandes", "novak",
        "schreiber", "oconnell", "rasmussen", "iyer", "petrov", "vasquez", "nguyen", "brennan",
        "halvorsen", "adeyemi", "castellano", "yilmaz", "whitfield", "kuznetsova", "achterberg",
        "delacroix", "mbeki", "sorensen", "takahashi", "oyelaran", "pellegrini", "zhao"]
DOMAINS = ["gmail.com", "outlook.com", "protonmail.ch", "yahoo.co.jp", "web.de", "hotmail.fr",
           "fastmail.fm", "qq.com", "163.com", "icloud.com", "posteo.de", "mail.ru",
           "northwind-labs.io", "kestrel.dev", "fjordtech.no", "brightpath.ai", "tessellate.app",
           "quarrystone.co.uk", "orbitalmechanics.tech", "helix-bio.com.br", "cs.ucl.ac.uk",
           "eng.monash.edu.au", "mail.uni-heidelberg.de", "lab.kyoto-u.ac.jp", "lumenfield.cloud",
           "paperplane.xyz", "vantage-robotics.de", "coralreef.co.nz", "granitepeak.engineering",
           "staff.museum-of-computing.museum", "dev.corp.saltmarsh.io", "eu.mail.ironbark.net",
           "ops.tidewater-energy.com", "research.openfoundry.org", "studio.fernwood.design",
           "team.pinecone-analytics.fr", "berlin.gridlock.systems", "atlas-logistics.com.mx"]
IDN_DOMAINS = ["müller-metallbau.de", "bäckerei-schäfer.at", "diseño-web.es", "café-lumière.fr",
               "żabka-dev.pl", "почта-сервис.рф", "日本語ドメイン.jp", "xn--bcher-kva.ch",
               "ηλεκτρονικό.gr", "münchen-cloud.de", "例子.中国", "xn--mller-kva.de",
               "sörensen-bygg.se", "çiçekçi.com.tr"]


def _local(r: random.Random) -> str:
    f, l = r.choice(FIRST), r.choice(LAST)
    return r.choice([f"{f}.{l}", f"{f[0]}{l}", f"{f}_{l}", f"{f}{r.randrange(1, 99)}",
                     f"{f}.{l}+{r.choice(['ci', 'github', 'dev', 'news'])}", f"{l}.{f[0]}",
                     f"{f}-{l}", f"{f.capitalize()}.{l.capitalize()}", f"{f}{l}{r.randrange(70, 99)}"])


def _email(r):
    return f"{_local(r)}@{r.choice(DOMAINS)}"


def _email_work(r):
    sub = r.choice(["mail", "eng", "corp", "it", "research", "hq", "emea", "us-west"])
    base = r.choice(["veridian", "stonebridge", "halcyon-media", "quantaflow", "bluemesa", "ostara"])
    tld = r.choice(["com", "io", "de", "co.uk", "net", "ai", "tech", "com.au"])
    return f"{_local(r)}@{sub}.{base}.{tld}"


def _email_idn(r):
    return f"{r.choice(['info', 'kontakt', 'hola', 'office', 'support', r.choice(FIRST)])}@{r.choice(IDN_DOMAINS)}"


def _email_gh(r):
    return f"{r.randrange(100000, 99999999)}+{r.choice(FIRST)}{r.choice(LAST)[:3]}@users.noreply.github.com"


def _email_sa(r):
    return (f"{r.choice(['etl-runner', 'ci-deployer', 'firebase-adminsdk-' + _s(r, _LOW, 5), 'bq-loader'])}"
            f"@{r.choice(['acme', 'orbit', 'ledger', 'pluto'])}-{r.choice(['prod', 'staging', 'data'])}-"
            f"{r.randrange(100000, 999999)}.iam.gserviceaccount.com")


def _name(r):
    return f"{r.choice(FIRST).capitalize()} {r.choice(LAST).capitalize()}"


_V4_FIRST = [3, 5, 13, 18, 23, 31, 34, 35, 37, 44, 45, 46, 47, 50, 51, 52, 54, 62, 64, 66, 69, 74,
             77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 91, 93, 94, 95, 104, 107, 108, 116,
             121, 123, 128, 130, 131, 134, 136, 137, 138, 139, 141, 142, 143, 144, 145, 146, 147,
             151, 152, 154, 157, 159, 162, 163, 164, 165, 167, 168, 173, 176, 178, 180, 185, 188,
             190, 193, 194, 195, 199, 201, 202, 204, 206, 207, 209, 210, 211, 212, 213, 216, 217,
             218, 219, 220, 221, 222, 223]
RESOLVERS = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
             "208.67.222.222", "208.67.220.220", "2001:4860:4860::8888", "2606:4700:4700::1111"}


def _ip4(r):
    while True:
        v = f"{r.choice(_V4_FIRST)}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"
        if ipaddress.ip_address(v).is_global and v not in RESOLVERS:
            return v


def _net4(r):  # a public address that ends in .0, for CIDR notation
    a = _ip4(r).split(".")
    return ".".join(a[:3] + ["0"])


def _ip6(r):
    h = lambda: format(r.randrange(1, 0xFFFF), "x")
    pre = r.choice(["2a01:4f8", "2a03:2880", "2600:1f18", "2406:da18", "2a00:1450", "2604:a880",
                    "2a02:c207", "2001:41d0", "2620:10d", "2804:14c", "2a05:d014", "2400:8901"])
    form = r.randrange(3)
    if form == 0:
        return f"{pre}:{h()}:{h()}::{h()}"
    if form == 1:
        return f"{pre}:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}"
    return f"{pre}:{h()}::{h()}:{h()}"


def _ip6_full(r):
    return ":".join(format(int(g, 16), "04x") for g in ipaddress.ip_address(_ip6(r)).exploded.split(":"))


WORDS = ["summer", "winter", "dragon", "falcon", "monkey", "sunshine", "coffee", "galaxy", "pirate",
         "tiger", "rocket", "banana", "orange", "maple", "harbor", "silver", "thunder", "phoenix",
         "mustang", "raven", "cookie", "pepper", "shadow", "liberty", "panther", "viking", "kobalt",
         "zebra", "mango", "blizzard", "lantern", "meadow", "cactus", "walrus", "juniper", "nebula"]


def _pw_core(r, syms):
    style = r.randrange(7)
    w = r.choice(WORDS)
    if style == 0:
        return w.capitalize() + str(r.randrange(1985, 2026)) + r.choice(syms)
    if style == 1:
        t = w.replace("a", "@" if "@" in syms else "4").replace("o", "0").replace("e", "3")
        return t.capitalize() + r.choice(syms) + str(r.randrange(10, 999))
    if style == 2:
        return r.choice(WORDS).capitalize() + r.choice(WORDS).capitalize() + str(r.randrange(1, 99)) + r.choice(syms)
    if style == 3:
        sep = r.choice(["-", ".", "_"]) if any(c in syms for c in "-._") else ""
        return sep.join(r.sample(WORDS, r.randrange(3, 5))) + str(r.randrange(1, 9))
    if style == 4:
        return r.choice(string.ascii_letters) + _s(r, _ALNUM + syms, r.randrange(11, 20))
    if style == 5:
        return r.choice(["Welcome", "Qwerty", "Admin", "Passw0rd", "Spring", "Letmein", "Company"]) + r.choice(syms) + str(r.randrange(2015, 2026))
    return _s(r, _ALNUM, r.randrange(10, 17))


def _pw(r):  # ordinary source-code string literal
    return _pw_core(r, "!@#$%&*?.-_+")


def _pws(r):  # safe in shell double quotes, YAML, XML, INI
    return _pw_core(r, "!#*?.-_+=")


def _pwu(r):  # safe inside the userinfo of a URL
    v = _pw_core(r, "-._~!*")
    if r.random() < 0.15:
        v += r.choice(["%40", "%23", "%21", "%2F"]) + str(r.randrange(10, 99))
    return v


def _pwa(r):  # safe in any config syntax (no comment or quote characters)
    return _pw_core(r, "-_.!*+=")


def _pwr(r):  # random, generated by a password manager
    return r.choice(string.ascii_letters) + _s(r, _ALNUM + "!#%*-_=+", r.randrange(15, 28))


def _pem(r, kind="RSA", escaped=False):
    if kind == "RSA":
        head, prefix, n, w = "RSA PRIVATE KEY", b"\x30\x82\x04\xa4\x02\x01\x00\x02\x82\x01\x01\x00", 1180, 64
    elif kind == "PKCS8":
        head, prefix, n, w = "PRIVATE KEY", bytes.fromhex("308204bd020100300d06092a864886f70d0101010500"), 1190, 64
    elif kind == "EC":
        head, prefix, n, w = "EC PRIVATE KEY", b"\x30\x77\x02\x01\x01\x04\x20", 114, 64
    elif kind == "ENC":
        head, prefix, n, w = "ENCRYPTED PRIVATE KEY", bytes.fromhex("308205263050"), 1300, 64
    else:  # OpenSSH
        head, prefix, n, w = "OPENSSH PRIVATE KEY", b"openssh-key-v1\x00\x00\x00\x00\x04none", 380, 70
    body = base64.b64encode(prefix + _rb(r, n)).decode()
    lines = [body[i:i + w] for i in range(0, len(body), w)]
    sep = "\\n" if escaped else "\n"
    return sep.join([f"-----BEGIN {head}-----", *lines, f"-----END {head}-----"])


def _cert(r):
    body = base64.b64encode(bytes.fromhex("308203") + _rb(r, 700)).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "\n".join(["-----BEGIN CERTIFICATE-----", *lines, "-----END CERTIFICATE-----"])


def _pubkey_pem(r):
    body = base64.b64encode(bytes.fromhex("30820122300d06092a864886f70d01010105000382010f00") + _rb(r, 270)).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "\n".join(["-----BEGIN PUBLIC KEY-----", *lines, "-----END PUBLIC KEY-----"])


def _jwt(r):
    alg = r.choice(["HS256", "RS256", "ES256", "HS512"])
    hdr = _b64u(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    body = {"sub": str(r.randrange(10 ** 5, 10 ** 9)), "iat": r.randrange(1_600_000_000, 1_750_000_000)}
    if r.random() < 0.5:
        body["email"] = f"{r.choice(FIRST)}@{r.choice(DOMAINS)}"
    if r.random() < 0.5:
        body["role"] = r.choice(["admin", "service", "authenticated", "user"])
    body["exp"] = body["iat"] + 3600 * r.randrange(1, 720)
    pl = _b64u(json.dumps(body, separators=(",", ":")).encode())
    sig = _b64u(_rb(r, 256 if alg == "RS256" else 64 if alg == "HS512" else 32))
    return f"{hdr}.{pl}.{sig}"


def _uuid(r):
    h = _s(r, _HEX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{r.choice('89ab')}{h[17:20]}-{h[20:]}"


def _bcrypt(r):
    return f"$2b${r.choice(['10', '12'])}$" + _s(r, _ALNUM + "./", 53)


GENS = {
    # emails
    "em": _email, "emw": _email_work, "emi": _email_idn, "emg": _email_gh, "emsa": _email_sa,
    "name": _name,
    # addresses
    "ip4": _ip4, "ip6": _ip6, "ip6f": _ip6_full, "net4": _net4,
    "priv4": lambda r: r.choice([f"10.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}",
                                 f"192.168.{r.randrange(256)}.{r.randrange(1, 255)}",
                                 f"172.{r.randrange(16, 32)}.{r.randrange(256)}.{r.randrange(1, 255)}"]),
    # passwords
    "pw": _pw, "pws": _pws, "pwu": _pwu, "pwr": _pwr, "pwa": _pwa,
    # provider tokens
    "aws_id": lambda r: "AKIA" + _s(r, _UP, 16),
    "aws_sts": lambda r: "ASIA" + _s(r, _UP, 16),
    "aws_secret": lambda r: _s(r, _B64, 40),
    "aws_session": lambda r: "IQoJb3JpZ2luX2VjE" + _s(r, _B64, 300) + "==",
    "ghp": lambda r: "ghp_" + _s(r, _ALNUM, 36),
    "gho": lambda r: "gho_" + _s(r, _ALNUM, 36),
    "ghs": lambda r: "ghs_" + _s(r, _ALNUM, 36),
    "ghfine": lambda r: "github_pat_11" + _s(r, _UP, 20) + "_" + _s(r, _ALNUM, 59),
    "glpat": lambda r: "glpat-" + _s(r, _URLSAFE, 20),
    "xoxb": lambda r: f"xoxb-{r.randrange(10 ** 10, 10 ** 12)}-{r.randrange(10 ** 12, 10 ** 13)}-{_s(r, _ALNUM, 24)}",
    "xoxp": lambda r: f"xoxp-{r.randrange(10 ** 10, 10 ** 12)}-{r.randrange(10 ** 10, 10 ** 12)}-{r.randrange(10 ** 12, 10 ** 13)}-{_s(r, _HEX, 32)}",
    "slackhook": lambda r: f"T{_s(r, _UP, 8)}/B{_s(r, _UP, 10)}/{_s(r, _ALNUM, 24)}",
    "sk_live": lambda r: "sk_live_" + _s(r, _ALNUM, 99),
    "rk_live": lambda r: "rk_live_" + _s(r, _ALNUM, 99),
    "whsec": lambda r: "whsec_" + _s(r, _ALNUM, 32),
    "aiza": lambda r: "AIza" + _s(r, _URLSAFE, 35),
    "openai": lambda r: "sk-proj-" + _s(r, _URLSAFE, 124) + "T3BlbkFJ" + _s(r, _URLSAFE, 20),
    "anthropic": lambda r: "sk-ant-api03-" + _s(r, _URLSAFE, 93) + "AA",
    "sendgrid": lambda r: "SG." + _s(r, _URLSAFE, 22) + "." + _s(r, _URLSAFE, 43),
    "npm": lambda r: "npm_" + _s(r, _ALNUM, 36),
    "pypi": lambda r: "pypi-AgEIcHlwaS5vcmc" + _s(r, _URLSAFE, 150),
    "mailgun": lambda r: "key-" + _s(r, _HEX, 32),
    "hex32": lambda r: _s(r, _HEX, 32),
    "hex40": lambda r: _s(r, _HEX, 40),
    "hex64": lambda r: _s(r, _HEX, 64),
    "hex128": lambda r: _s(r, _HEX, 128).upper(),
    "hex48": lambda r: _s(r, _HEX, 48).upper(),
    "b64_32": lambda r: base64.b64encode(_rb(r, 32)).decode(),
    "b64_64": lambda r: base64.b64encode(_rb(r, 64)).decode(),
    "azure_key": lambda r: base64.b64encode(_rb(r, 64)).decode(),
    "an32": lambda r: _s(r, _ALNUM, 32),
    "an40": lambda r: _s(r, _ALNUM, 40),
    "an28": lambda r: _s(r, _URLSAFE, 28),
    "paypal": lambda r: "E" + _s(r, _URLSAFE, 79),
    "adopat": lambda r: _s(r, "abcdefghijklmnopqrstuvwxyz234567", 52),
    "django": lambda r: "django-insecure-" + _s(r, "abcdefghijklmnopqrstuvwxyz0123456789!@#%^&*(-_=+)", 50),
    "wpsalt": lambda r: _s(r, _ALNUM + "!@#$%^&*()-_=+[]{}|;:,.<>?~`/", 64),
    "telegram": lambda r: f"{r.randrange(10 ** 8, 10 ** 10)}:AA{_s(r, _URLSAFE, 33)}",
    "discord": lambda r: f"M{_s(r, _ALNUM, 25)}.{_s(r, _URLSAFE, 6)}.{_s(r, _URLSAFE, 38)}",
    "shpat": lambda r: "shpat_" + _s(r, _HEX, 32),
    "hf": lambda r: "hf_" + _s(r, string.ascii_letters, 34),
    "dop": lambda r: "dop_v1_" + _s(r, _HEX, 64),
    "hvs": lambda r: "hvs." + _s(r, _URLSAFE, 90),
    "dapi": lambda r: "dapi" + _s(r, _HEX, 32),
    "squ": lambda r: "squ_" + _s(r, _HEX, 40),
    "nrak": lambda r: "NRAK-" + _s(r, _UP, 27),
    "lin": lambda r: "lin_api_" + _s(r, _ALNUM, 40),
    "pmak": lambda r: f"PMAK-{_s(r, _HEX, 24)}-{_s(r, _HEX, 34)}",
    "sq0": lambda r: "sq0atp-" + _s(r, _URLSAFE, 22),
    "atlassian": lambda r: "ATATT3xFfGF0" + _s(r, _URLSAFE, 180) + "=" + _s(r, _UP, 8),
    "age": lambda r: "AGE-SECRET-KEY-1" + _s(r, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58),
    "mapbox": lambda r: "sk.eyJ1Ijoi" + _s(r, _URLSAFE, 40) + "." + _s(r, _URLSAFE, 22),
    "tfc": lambda r: _s(r, _ALNUM, 14) + ".atlasv1." + _s(r, _ALNUM, 67),
    "dd": lambda r: _s(r, _HEX, 32),
    "jwt": _jwt,
    "rsa": lambda r: _pem(r, "RSA"), "pkcs8": lambda r: _pem(r, "PKCS8"), "ec": lambda r: _pem(r, "EC"),
    "openssh": lambda r: _pem(r, "OPENSSH"), "encpem": lambda r: _pem(r, "ENC"),
    "pkcs8_esc": lambda r: _pem(r, "PKCS8", escaped=True), "rsa_esc": lambda r: _pem(r, "RSA", escaped=True),
    "ec_y4": lambda r: _pem(r, "EC").replace("\n", "\n    "),
    "rsa_y6": lambda r: _pem(r, "RSA").replace("\n", "\n      "),
    # hard-negative material
    "cert_y4": lambda r: _cert(r).replace("\n", "\n    "),
    "cert": _cert, "pubpem": _pubkey_pem,
    "sshpub": lambda r: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + _s(r, _B64, 43),
    "sha1": lambda r: _s(r, _HEX, 40), "sha256": lambda r: _s(r, _HEX, 64), "md5": lambda r: _s(r, _HEX, 32),
    "sri": lambda r: "sha512-" + base64.b64encode(_rb(r, 64)).decode(),
    "uuid": _uuid, "bcrypt": _bcrypt,
    "argon": lambda r: "$argon2id$v=19$m=65536,t=3,p=4$" + _s(r, _B64, 22) + "$" + _s(r, _B64, 43),
    "pbkdf2": lambda r: f"pbkdf2_sha256$600000${_s(r, _ALNUM, 22)}${base64.b64encode(_rb(r, 32)).decode()}",
    "aspnethash": lambda r: "AQAAAAIAAYagAAAAE" + _s(r, _B64, 67) + "==",
    "int": lambda r: str(r.randrange(10 ** 11, 10 ** 12)),
    "acct": lambda r: str(r.randrange(10 ** 11, 10 ** 12)),
}

_SHORT = {"⟦e|": "⟦email|", "⟦i|": "⟦ip_address|", "⟦k|": "⟦key|", "⟦p|": "⟦password|"}
_PH = re.compile(r"«([a-z0-9_]+)(?::(\w+))?»")
_MARK = re.compile(r"⟦(email|ip_address|key|password)\|(.*?)⟧", re.S)


def _fill(name: str, template: str) -> str:
    r = random.Random(f"testset3:{name}")
    for short, long in _SHORT.items():
        template = template.replace(short, long)
    cache: dict[str, str] = {}

    def sub(m: re.Match) -> str:
        gen, tag = m.group(1), m.group(2)
        if tag is not None and m.group(0) in cache:
            return cache[m.group(0)]
        v = GENS[gen](r)
        if tag is not None:
            cache[m.group(0)] = v
        return v

    return _PH.sub(sub, template)


# ------------------------------------------------------------------------------- documents

DOCS: list[tuple[str, str]] = []


def _doc(name: str, template: str) -> None:
    DOCS.append((name, template))

_doc("mysite/settings.py", r'''"""
Django settings for mysite project.

Generated by 'django-admin startproject' using Django 4.2.7.
"""
from pathlib import Path
import os

BASE_DIR = Path(__file__).resolve().parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = '⟦k|«django»⟧'

DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"

ALLOWED_HOSTS = ["localhost", "127.0.0.1", "staging.mysite.app", "10.0.3.17"]
INTERNAL_IPS = ["127.0.0.1", "::1"]

ADMINS = [("«name»", "⟦e|«em»⟧")]
MANAGERS = ADMINS

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': 'mysite',
        'USER': 'mysite_app',
        'PASSWORD': '⟦p|«pw»⟧',
        'HOST': '⟦i|«ip4»⟧',
        'PORT': '5432',
    },
    'replica': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': 'mysite',
        'USER': 'readonly',
        'PASSWORD': os.environ.get('REPLICA_DB_PASSWORD'),
        'HOST': '172.31.4.210',
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {'NAME': 'django.contrib.auth.password_validation.UserAttributeSimilarityValidator'},
    {'NAME': 'django.contrib.auth.password_validation.MinimumLengthValidator',
     'OPTIONS': {'min_length': 12}},
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
PASSWORD_RESET_TIMEOUT = 259200

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "smtp.mailgun.org"
EMAIL_PORT = 587
EMAIL_HOST_USER = "⟦e|«emw»⟧"
EMAIL_HOST_PASSWORD = "⟦p|«pw»⟧"
DEFAULT_FROM_EMAIL = "MySite <⟦e|«em»⟧>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                      "LOCATION": "redis://:⟦p|«pwu»⟧@⟦i|«ip4»⟧:6379/1"}}
''')

_doc("src/geoip_tools/__init__.py", r'''# -*- coding: utf-8 -*-
"""Tiny helpers around the MaxMind GeoLite2 database."""

__author__ = "«name» <⟦e|«em»⟧>"
__maintainer__ = "«name»"
__email__ = "⟦e|«emw»⟧"
__version__ = "3.1.4.1"
__license__ = "MIT"

import ipaddress
import os
import getpass

LICENSE_KEY = os.environ["MAXMIND_LICENSE_KEY"]
ACCOUNT_ID = os.environ.get("MAXMIND_ACCOUNT_ID", "")


def is_public(addr: str) -> bool:
    """Return True for routable addresses.

    >>> is_public("10.1.2.3")
    False
    >>> is_public("⟦i|«ip4»⟧")
    True
    >>> is_public("2001:db8::1")
    False
    >>> is_public("⟦i|«ip6»⟧")
    True
    """
    ip = ipaddress.ip_address(addr)
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast)


def prompt_credentials():
    user = input("MaxMind user: ")
    password = getpass.getpass("MaxMind password: ")
    return user, password
''')

_doc("tests/test_users_api.py", r'''import pytest
from app.models import User
from app.security import hash_password, verify_password


@pytest.fixture
def admin(db):
    return User.objects.create_superuser(
        username="admin",
        email="⟦e|«em»⟧",
        password="⟦p|«pw:admin»⟧",
    )


@pytest.fixture
def users(db):
    rows = [
        ("⟦e|«em»⟧", "⟦p|«pw»⟧", "⟦i|«ip4»⟧"),
        ("⟦e|«emi»⟧", "⟦p|«pw»⟧", "⟦i|«ip6»⟧"),
        ("nobody", None, "::1"),
        ("guest", "", "192.168.1.44"),
    ]
    return [User.objects.create_user(email=e, password=p, last_login_ip=ip) for e, p, ip in rows]


def test_login(client, admin):
    resp = client.post("/api/login", json={"email": admin.email, "password": "⟦p|«pw:admin»⟧"})
    assert resp.status_code == 200


def test_wrong_password(client, admin):
    resp = client.post("/api/login", json={"email": admin.email, "password": None})
    assert resp.status_code == 400


def test_hash_roundtrip():
    stored = "«bcrypt»"
    assert hash_password("x").startswith("$2b$")
    assert not verify_password("", stored)


def test_password_field_label(client):
    html = client.get("/login").content.decode()
    assert 'placeholder="Password"' in html
    assert "Forgot your password?" in html
''')

_doc("scripts/rotate_s3_backups.py", r'''#!/usr/bin/env python3
"""Copy nightly dumps to the offsite bucket and prune old ones.

For local testing the AWS docs suggest the example keys AKIAIOSFODNN7EXAMPLE /
wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY -- never commit real ones!
"""
import boto3
import datetime as dt

# FIXME(«name»): move these to the instance profile before go-live
session = boto3.session.Session(
    aws_access_key_id="⟦k|«aws_id»⟧",
    aws_secret_access_key="⟦k|«aws_secret»⟧",
    region_name="eu-central-1",
)
s3 = session.client("s3")
KMS_KEY = "arn:aws:kms:eu-central-1:«acct»:key/«uuid»"
KMS_KEY_ID = "«uuid»"

# old creds, revoked 2023-02
# aws_access_key_id = "⟦k|«aws_id»⟧"
# aws_secret_access_key = "⟦k|«aws_secret»⟧"

def upload(path: str) -> None:
    key = f"nightly/{dt.date.today():%Y/%m/%d}/{path.rsplit('/', 1)[-1]}"
    s3.upload_file(path, "acme-offsite-backups", key,
                   ExtraArgs={"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KMS_KEY})
    print("uploaded", key, "checksum sha256:", "«sha256»")
''')

_doc("etl/db.py", r'''import os
import psycopg2
import redis
from sqlalchemy import create_engine

PG_HOST = os.getenv("PG_HOST", "10.12.0.4")
PG_PASSWORD = os.getenv("PG_PASSWORD", "⟦p|«pw»⟧")
PG_USER = os.getenv("PG_USER", "etl")


def connect():
    return psycopg2.connect(host=PG_HOST, port=5432, dbname="warehouse",
                            user=PG_USER, password=PG_PASSWORD, connect_timeout=10)


def legacy_connect():
    # the old box, still used by the monthly job
    return psycopg2.connect("host=⟦i|«ip4»⟧ dbname=legacy user=report password=%s sslmode=require" % os.environ["LEGACY_PW"])


engine = create_engine(
    "postgresql+psycopg2://etl:⟦p|«pwu»⟧@⟦i|«ip4»⟧:5432/warehouse", pool_pre_ping=True
)
cache = redis.Redis(host="10.12.0.5", port=6379, password=os.environ.get("REDIS_PASSWORD"))
queue = redis.from_url(f"redis://:{os.environ['QUEUE_PASSWORD']}@{PG_HOST}:6380/0")
local = redis.Redis(host="127.0.0.1", password=None)
''')

_doc("bots/notify.py", r'''import requests

GITHUB_TOKEN = "⟦k|«ghp»⟧"
SLACK_WEBHOOK = "https://hooks.slack.com/services/⟦k|«slackhook»⟧"
SLACK_USER_TOKEN = "⟦k|«xoxp»⟧"  # for chat.delete, bot tokens can't
HEADERS = {"Authorization": f"token {GITHUB_TOKEN}", "Accept": "application/vnd.github+json"}


def failing_runs(repo):
    r = requests.get(f"https://api.github.com/repos/{repo}/actions/runs?status=failure",
                     headers=HEADERS, timeout=30)
    r.raise_for_status()
    return r.json()["workflow_runs"]


def post(text):
    requests.post(SLACK_WEBHOOK, json={"text": text}, timeout=10)


def jenkins_trigger(job):
    # Jenkins on the build host, basic auth
    requests.post(f"http://⟦i|«ip4»⟧:8080/job/{job}/build", auth=("ci-bot", "⟦p|«pw»⟧"))


def artifactory(user, password):
    url = f"https://{user}:{password}@artifacts.internal/api/storage"
    return requests.get(url).json()


if __name__ == "__main__":
    for run in failing_runs("acme/platform"):
        post(f":red_circle: {run['name']} failed on {run['head_sha'][:8]}")
''')

_doc("app/config.py", r'''import os
from datetime import timedelta


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "changeme")
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    MAIL_SERVER = "smtp.gmail.com"
    MAIL_PORT = 465
    MAIL_USE_SSL = True
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(hours=1)
    PASSWORD_MIN_LENGTH = 10


class DevelopmentConfig(Config):
    DEBUG = True
    SECRET_KEY = "⟦k|«hex64»⟧"
    JWT_SECRET_KEY = "⟦k|«an40»⟧"
    SQLALCHEMY_DATABASE_URI = "mysql+pymysql://flask:⟦p|«pwu»⟧@⟦i|«ip4»⟧/flaskdev"
    MAIL_USERNAME = "⟦e|«em»⟧"
    MAIL_PASSWORD = "⟦p|«pws»⟧"


class TestingConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SECRET_KEY = "${SECRET_KEY}"
    WTF_CSRF_ENABLED = False


class ProductionConfig(Config):
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "⟦k|«sk_live»⟧")
    STRIPE_WEBHOOK_SECRET = "⟦k|«whsec»⟧"
    ADMIN_EMAIL = "⟦e|«emw»⟧"
''')

_doc("credentials/etl-runner.json", r'''{
  "type": "service_account",
  "project_id": "acme-data-351207",
  "private_key_id": "«hex40»",
  "private_key": "⟦k|«pkcs8_esc»⟧\n",
  "client_email": "⟦e|«emsa»⟧",
  "client_id": "«int»«int»",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
  "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/etl-runner",
  "universe_domain": "googleapis.com"
}
''')

_doc("notebooks/eval_summaries.ipynb", r'''{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 3,
   "metadata": {},
   "outputs": [],
   "source": [
    "import openai, anthropic\n",
    "openai.api_key = \"⟦k|«openai»⟧\"\n",
    "client = anthropic.Anthropic(api_key=\"⟦k|«anthropic»⟧\")\n",
    "HF_TOKEN = '⟦k|«hf»⟧'  # read-only\n"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 4,
   "metadata": {},
   "outputs": [
    {
     "name": "stdout",
     "output_type": "stream",
     "text": [
      "connected to ⟦i|«ip4»⟧:443 as ⟦e|«em»⟧\n",
      "model sha256: «sha256»\n"
     ]
    }
   ],
   "source": [
    "import os\n",
    "os.environ[\"WANDB_API_KEY\"] = \"⟦k|«hex40»⟧\"\n",
    "key = os.environ.get(\"OPENAI_API_KEY\", \"<your-api-key>\")\n"
   ]
  }
 ],
 "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
''')

_doc("config/default.js", r''''use strict';
/**
 * Default configuration. Override per environment in config/<env>.js
 * @author «name» <⟦e|«em»⟧>
 */
module.exports = {
  port: process.env.PORT || 3000,
  db: {
    host: process.env.DB_HOST || '⟦i|«ip4»⟧',
    user: 'api',
    password: process.env.DB_PASS || '⟦p|«pw»⟧',
    database: 'orders',
  },
  jwtSecret: '⟦k|«b64_64»⟧',
  session: { secret: process.env.SESSION_SECRET, name: 'sid' },
  stripe: {
    secretKey: '⟦k|«rk_live»⟧',
    apiVersion: '2023-10-16',
  },
  smtp: {
    host: 'smtp.sendgrid.net',
    port: 587,
    auth: { user: 'apikey', pass: '⟦k|«sendgrid»⟧' },
  },
  mail: {
    from: '"Orders" <⟦e|«emw»⟧>',
    alerts: (process.env.ALERT_EMAILS || '').split(','),
  },
  legacyFtp: { host: '10.9.0.3', user: 'orders', pass: process.env.FTP_PASS },
  trustedProxies: ['10.0.0.0/8', '172.16.0.0/12', '127.0.0.1'],
};
''')

_doc("src/lib/apiClient.ts", r'''import axios, { AxiosInstance } from 'axios';

export interface Credentials {
  username: string;
  password: string;
}

const DEFAULT_KEY = process.env.NEXT_PUBLIC_API_KEY ?? 'YOUR_API_KEY';

export class ApiClient {
  private http: AxiosInstance;

  constructor(private apiKey: string = '⟦k|«openai»⟧', baseURL = 'http://⟦i|«ip4»⟧:8080/v2') {
    this.http = axios.create({
      baseURL,
      headers: { 'X-API-Key': apiKey, 'X-Request-Id': '«uuid»' },
    });
  }

  async login({ username, password }: Credentials) {
    return this.http.post('/auth/login', { username, password });
  }
}

// quick manual check, remove before merge
// const c = new ApiClient();
// await c.login({ username: '⟦e|«em»⟧', password: '⟦p|«pw»⟧' });

export const staging = new ApiClient(DEFAULT_KEY, 'https://[⟦i|«ip6»⟧]:8443/v2');
export const mapboxToken = '⟦k|«mapbox»⟧';
''')

_doc("package.json", r'''{
  "name": "@quarry/ui-kit",
  "version": "4.12.3",
  "description": "Component library for Quarry dashboards",
  "author": "«name» <⟦e|«em»⟧> (https://quarry.dev)",
  "contributors": [
    "«name» <⟦e|«emg»⟧>",
    { "name": "«name»", "email": "⟦e|«emi»⟧" },
    { "name": "«name»", "url": "https://github.com/dagnyh" }
  ],
  "bugs": { "email": "⟦e|«emw»⟧" },
  "main": "dist/index.js",
  "scripts": { "build": "tsc -p .", "release": "np --no-2fa" },
  "peerDependencies": { "react": "^18.2.0", "@emotion/react": "^11.11.1" },
  "devDependencies": { "@types/node": "20.10.4", "typescript": "5.3.3", "@storybook/react@7.6.5": "*" },
  "packageManager": "pnpm@8.12.1"
}
''')

_doc("package-lock.json", r'''{
  "name": "billing-service",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "node_modules/jsonwebtoken": {
      "version": "9.0.2",
      "resolved": "https://registry.npmjs.org/jsonwebtoken/-/jsonwebtoken-9.0.2.tgz",
      "integrity": "«sri»",
      "dependencies": { "jws": "^3.2.2", "semver": "^7.5.4" }
    },
    "node_modules/bcryptjs": {
      "version": "2.4.3",
      "resolved": "https://registry.npmjs.org/bcryptjs/-/bcryptjs-2.4.3.tgz",
      "integrity": "«sri»"
    },
    "node_modules/ip": {
      "version": "1.1.8",
      "resolved": "https://registry.npmjs.org/ip/-/ip-1.1.8.tgz",
      "integrity": "«sri»",
      "shasum": "«sha1»"
    }
  }
}
''')

_doc(".npmrc", r'''registry=https://registry.npmjs.org/
@acme:registry=https://npm.pkg.github.com/
//npm.pkg.github.com/:_authToken=⟦k|«ghp»⟧
//registry.npmjs.org/:_authToken=⟦k|«npm»⟧
//nexus.acme.internal/repository/npm-private/:_authToken=${NEXUS_TOKEN}
email=⟦e|«emw»⟧
always-auth=true
strict-ssl=false
''')

_doc("server/db/mongo.js", r'''const mongoose = require('mongoose');
const Redis = require('ioredis');

const { MONGO_USER, MONGO_PASS, MONGO_HOST } = process.env;

// prod (Atlas)
const ATLAS_URI = 'mongodb+srv://admin:⟦p|«pwu»⟧@cluster0.x7kq2.mongodb.net/shop?retryWrites=true&w=majority';
// built from env, preferred
const ENV_URI = `mongodb://${MONGO_USER}:${MONGO_PASS}@${MONGO_HOST}:27017/shop`;

mongoose.connect(process.env.NODE_ENV === 'production' ? ATLAS_URI : ENV_URI);

const redis = new Redis({
  host: process.env.REDIS_HOST,
  port: 6379,
  password: "⟦p|«pw»⟧",
  db: 2,
});

const rabbitUrl = `amqp://shop:${process.env.RABBIT_PASS}@⟦i|«ip4»⟧:5672/%2Fshop`;
const localRedis = new Redis({ host: '127.0.0.1', password: '' });

module.exports = { mongoose, redis, rabbitUrl, localRedis };
''')

_doc("web/src/firebase.js", r'''import { initializeApp } from "firebase/app";
import { getAuth, signInWithEmailAndPassword } from "firebase/auth";

const firebaseConfig = {
  apiKey: "⟦k|«aiza»⟧",
  authDomain: "tidepool-7a1c3.firebaseapp.com",
  projectId: "tidepool-7a1c3",
  storageBucket: "tidepool-7a1c3.appspot.com",
  messagingSenderId: "«int»",
  appId: "1:«int»:web:«md5»",
  measurementId: "G-5QK2R8ZP1D"
};

export const app = initializeApp(firebaseConfig);
export const auth = getAuth(app);

export async function demoLogin() {
  // demo account shown on the landing page
  return signInWithEmailAndPassword(auth, "⟦e|«em»⟧", "⟦p|«pw»⟧");
}

export function login(email, password) {
  return signInWithEmailAndPassword(auth, email, password);
}
''')

_doc("src/main/java/com/acme/billing/config/DataSourceConfig.java", r'''package com.acme.billing.config;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Data sources for the billing service.
 *
 * @author «name» (⟦e|«emw»⟧)
 * @since 2.3.1.4
 */
@Configuration
public class DataSourceConfig {

    @Value("${billing.datasource.url:jdbc:postgresql://⟦i|«ip4»⟧:5432/billing}")
    private String url;

    @Value("${billing.datasource.username:billing}")
    private String username;

    @Value("${billing.datasource.password:⟦p|«pw»⟧}")
    private String password;

    @Value("${billing.api-key}")
    private String apiKey;

    @Bean
    public HikariDataSource primary() {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setUsername(username);
        cfg.setPassword(password);
        cfg.setMaximumPoolSize(20);
        return new HikariDataSource(cfg);
    }

    @Bean
    public HikariDataSource reporting() {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl("jdbc:mysql://reports-db:3306/reports?useSSL=true&user=reporter&password=⟦p|«pwu»⟧");
        cfg.setPassword(System.getenv("REPORTS_DB_PASSWORD"));
        return new HikariDataSource(cfg);
    }

    @Bean
    public MailProperties mail() {
        return MailProperties.builder()
            .host("smtp.office365.com")
            .username("⟦e|«emw»⟧")
            .password("⟦p|«pw»⟧")
            .passwordResetUrl("https://billing.acme.io/reset-password")
            .build();
    }
}
''')

_doc("src/main/resources/application.properties", r'''spring.application.name=inventory
server.port=8081
server.address=0.0.0.0
management.server.address=127.0.0.1

spring.datasource.url=jdbc:mysql://⟦i|«ip4»⟧:3306/inventory?serverTimezone=UTC
spring.datasource.username=inventory
spring.datasource.password=⟦p|«pws»⟧
spring.datasource.hikari.maximum-pool-size=12

spring.mail.host=smtp.gmail.com
spring.mail.port=587
spring.mail.username=⟦e|«em»⟧
spring.mail.password=⟦p|«pws»⟧
spring.mail.properties.mail.smtp.auth=true

server.ssl.key-store=classpath:keystore.p12
server.ssl.key-store-password=⟦p|«pws»⟧
server.ssl.key-alias=inventory

jwt.secret=⟦k|«b64_64»⟧
jwt.expiration=86400
app.admin.password=${ADMIN_PASSWORD}
app.cors.allowed-origins=http://localhost:4200
info.app.version=2.10.4.1
''')

_doc("deploy/application-prod.yml", r'''spring:
  datasource:
    url: jdbc:postgresql://${DB_HOST:⟦i|«ip4»⟧}:5432/catalog
    username: ${DB_USER:catalog}
    password: ${DB_PASSWORD:⟦p|«pws»⟧}
  rabbitmq:
    host: ⟦i|«ip4»⟧
    username: catalog
    password: "⟦p|«pws»⟧"
  security:
    oauth2:
      client:
        registration:
          github:
            client-id: Iv1.«md5»
            client-secret: ⟦k|«hex40»⟧
          google:
            client-id: «int»-«md5».apps.googleusercontent.com
            client-secret: ⟦k|GOCSPX-«an28»⟧
  mail:
    username: ⟦e|«emw»⟧
    password:
management:
  endpoints:
    web:
      exposure:
        include: health,info
logging:
  level:
    org.springframework.security: DEBUG
''')

_doc("app/src/main/java/com/kestrel/mobile/ApiModule.kt", r'''package com.kestrel.mobile

import okhttp3.Credentials
import okhttp3.OkHttpClient
import retrofit2.Retrofit

object ApiModule {
    const val BASE_URL = "http://⟦i|«ip4»⟧:9000/"
    const val MAPS_API_KEY = "⟦k|«aiza»⟧"
    private const val BASIC_USER = "mobile"
    private val basicPassword = "⟦p|«pws»⟧"
    private val debugPassword: String? = null

    val client: OkHttpClient = OkHttpClient.Builder()
        .addInterceptor { chain ->
            val req = chain.request().newBuilder()
                .header("Authorization", Credentials.basic(BASIC_USER, basicPassword))
                .build()
            chain.proceed(req)
        }
        .build()

    val retrofit: Retrofit = Retrofit.Builder().baseUrl(BASE_URL).client(client).build()

    val fixture = """
        {"user": "⟦e|«em»⟧", "lastIp": "⟦i|«ip4»⟧", "device": "Pixel 7", "os": "14.0.0.1"}
    """.trimIndent()

    data class DbConfig(val host: String = "10.0.2.2", val user: String = "app", val password: String = "⟦p|«pws»⟧")
}
''')

_doc("internal/store/config.go", r'''// Package store wires the persistence layer.
//
// Maintainer: «name» <⟦e|«em»⟧>
package store

import (
	"database/sql"
	"fmt"
	"os"

	_ "github.com/go-sql-driver/mysql"
)

const shopifyAdminToken = "⟦k|«shpat»⟧"

type Config struct {
	Host     string
	Port     int
	User     string
	Password string
	Database string
}

var defaultConfig = Config{
	Host:     "127.0.0.1",
	Port:     3306,
	User:     "store",
	Password: "⟦p|«pw»⟧",
	Database: "store",
}

// legacyDSN is used by the migration tool only.
var legacyDSN = `store_admin:⟦p|«pwu»⟧@tcp(⟦i|«ip4»⟧:3306)/store?parseTime=true`

func Open(cfg Config) (*sql.DB, error) {
	if p := os.Getenv("STORE_PASSWORD"); p != "" {
		cfg.Password = p
	}
	dsn := fmt.Sprintf("%s:%s@tcp(%s:%d)/%s", cfg.User, cfg.Password, cfg.Host, cfg.Port, cfg.Database)
	return sql.Open("mysql", dsn)
}

var registry = map[string]string{
	"username": "deploy",
	"password": "⟦p|«pw»⟧",
	"bot_token": "⟦k|«discord»⟧",
}
''')

_doc("pkg/netutil/classify_test.go", r'''package netutil

import "testing"

func TestIsPublic(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"10.0.0.1", false},
		{"192.168.0.254", false},
		{"172.20.1.1", false},
		{"127.0.0.1", false},
		{"169.254.169.254", false},
		{"100.64.12.7", false},
		{"0.0.0.0", false},
		{"224.0.0.251", false},
		{"255.255.255.255", false},
		{"192.0.2.10", false},
		{"198.51.100.23", false},
		{"203.0.113.99", false},
		{"8.8.8.8", true},
		{"1.1.1.1", true},
		{"⟦i|«ip4»⟧", true},
		{"⟦i|«ip4»⟧", true},
		{"100.127.255.254", false},
		{"::1", false},
		{"fe80::1c2a:3bff:fe4d:5e6f", false},
		{"fd12:3456:789a::1", false},
		{"ff02::fb", false},
		{"2001:db8::dead:beef", false},
		{"2606:4700:4700::1111", true},
		{"⟦i|«ip6»⟧", true},
		{"::ffff:0:0", false},
	}
	for _, c := range cases {
		if got := IsPublic(c.in); got != c.want {
			t.Errorf("IsPublic(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestParseMAC(t *testing.T) {
	if _, err := ParseMAC("00:1a:2b:3c:4d:5e"); err != nil {
		t.Fatal(err)
	}
}
''')

_doc("firmware/main/app_config.h", r'''/*
 * app_config.h - build-time configuration for the greenhouse sensor node
 *
 * Copyright (c) 2022 «name» <⟦e|«em»⟧>
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef APP_CONFIG_H
#define APP_CONFIG_H

#define FW_VERSION          "1.4.2.7"
#define WIFI_SSID           "Greenhouse-2G"
#define WIFI_PASS           CONFIG_WIFI_PASSWORD  /* from sdkconfig */

#define MQTT_BROKER_HOST    "⟦i|«ip4»⟧"
#define MQTT_BROKER_PORT    8883
#define MQTT_USER           "node-07"
#define MQTT_PASSWORD       "⟦p|«pws»⟧"

/* fallback NTP / DNS */
#define NTP_SERVER          "pool.ntp.org"
#define DNS_PRIMARY         "1.1.1.1"
#define DNS_SECONDARY       "8.8.4.4"
#define GATEWAY_IP          "192.168.4.1"
#define NETMASK             "255.255.255.0"

/* OTA endpoint; the old one was http://⟦i|«ip4»⟧/ota */
#define OTA_URL             "https://ota.greenhouse.example.net/fw"
#define OTA_SIGNING_KEY_SHA256 "«sha256»"

static const char *ota_password = "⟦p|«pw»⟧";
static const char *ota_password_hint = "ask Ulla";

#endif /* APP_CONFIG_H */
''')

_doc("src/net/resolver.c", r'''/* resolver.c -- minimal stub resolver
 * Author: «name» <⟦e|«emw»⟧>
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static const char *fallback_servers[] = {
    "9.9.9.9",
    "149.112.112.112",
    "208.67.222.222",
    "⟦i|«ip4»⟧",   /* office resolver */
    "10.53.0.2",   /* colo resolver */
    NULL,
};

static const char *fallback_v6[] = {
    "2001:4860:4860::8888",
    "fd00:53::1",
    NULL,
};

int parse_oid(const char *s);

int main(int argc, char **argv) {
    struct in6_addr a6;
    if (inet_pton(AF_INET6, "⟦i|«ip6»⟧", &a6) != 1) {
        fprintf(stderr, "bad v6\n");
        return 1;
    }
    /* 1.3.6.1.4.1.2021 is the UCD-SNMP enterprise OID, 2.5.4.3 is CN */
    parse_oid("2.5.4.3");
    parse_oid("1.3.6.1.2.1");
    printf("built at %s, lib 2.3.0.1\n", __DATE__);
    return 0;
}
''')

_doc("tools/pgclient/main.cpp", r'''// pgclient - tiny libpq/libcurl smoke test
// (c) 2021 «name» <⟦e|«emi»⟧>
#include <curl/curl.h>
#include <libpq-fe.h>
#include <iostream>
#include <string>
#include <vector>

namespace {
const std::string kConn =
    "host=⟦i|«ip4»⟧ port=5432 dbname=metrics user=grafana "
    "password=⟦p|«pws»⟧ sslmode=verify-full";
const char* kApiToken = "⟦k|«hex64»⟧";
}  // namespace

int main() {
    PGconn* conn = PQconnectdb(kConn.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        std::cerr << PQerrorMessage(conn) << std::endl;
    }

    CURL* curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, "https://⟦i|«ip4»⟧:9200/_cluster/health");
    curl_easy_setopt(curl, CURLOPT_USERPWD, "elastic:⟦p|«pw»⟧");
    curl_easy_setopt(curl, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(curl, CURLOPT_PROXYUSERPWD, getenv("PROXY_USERPWD"));
    // curl_easy_setopt(curl, CURLOPT_PASSWORD, password.c_str());
    std::vector<std::string> hosts{"::1", "127.0.0.1"};
    std::cout << "std::string ok, v" << LIBCURL_VERSION << std::endl;
    curl_easy_perform(curl);
    PQfinish(conn);
    return 0;
}
''')

_doc("src/Acme.Notifications/appsettings.Development.json", r'''{
  "Logging": {
    "LogLevel": { "Default": "Information", "Microsoft.AspNetCore": "Warning" }
  },
  "ConnectionStrings": {
    "Default": "Server=tcp:⟦i|«ip4»⟧,1433;Initial Catalog=Notifications;User ID=notif_app;Password=⟦p|«pws»⟧;Encrypt=True;TrustServerCertificate=False;",
    "Blob": "DefaultEndpointsProtocol=https;AccountName=acmenotif;AccountKey=⟦k|«azure_key»⟧;EndpointSuffix=core.windows.net",
    "Redis": "localhost:6379,password=,abortConnect=False",
    "ServiceBus": "Endpoint=sb://acme-notif.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=⟦k|«b64_32»⟧"
  },
  "SendGrid": { "ApiKey": "⟦k|«sendgrid»⟧", "From": "⟦e|«emw»⟧" },
  "ApplicationInsights": { "InstrumentationKey": "«uuid»" },
  "AzureAd": {
    "Instance": "https://login.microsoftonline.com/",
    "TenantId": "«uuid»",
    "ClientId": "«uuid»",
    "ClientSecret": "⟦k|«an40»⟧"
  },
  "AllowedHosts": "*"
}
''')

_doc("src/Acme.Notifications/Services/SmtpSender.cs", r'''using System.Net;
using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace Acme.Notifications.Services
{
    /// <summary>Sends mail through the on-prem relay.</summary>
    /// <remarks>Owner: «name» (⟦e|«emw»⟧)</remarks>
    public class SmtpSender
    {
        private const string RelayHost = "⟦i|«ip4»⟧";
        private const string ApiKey = "⟦k|«mailgun»⟧";
        private static readonly string LegacyConn =
            @"Data Source=⟦i|«ip4»⟧\SQLEXPRESS;Initial Catalog=Mail;User Id=mailer;Password=⟦p|«pw»⟧;";

        [Obsolete("Use the options overload")]
        public SmtpClient Create() => new SmtpClient(RelayHost, 25)
        {
            Credentials = new NetworkCredential("relay-user", "⟦p|«pw»⟧"),
            EnableSsl = true,
        };

        public SmtpClient Create(IOptions<SmtpOptions> opts) => new SmtpClient(opts.Value.Host)
        {
            Credentials = new NetworkCredential(opts.Value.User, opts.Value.Password),
        };

        public MailMessage Welcome(string to) =>
            new MailMessage("⟦e|«em»⟧", to, "Welcome!", "Your password was set. Password: ********");
    }
}
''')

_doc("src/Acme.Identity/Data/SeedData.cs", r'''using Microsoft.AspNetCore.Identity;

namespace Acme.Identity.Data;

public static class SeedData
{
    public static IEnumerable<ApplicationUser> Users() => new[]
    {
        new ApplicationUser
        {
            Id = "«uuid»",
            UserName = "⟦e|«em:u»⟧",
            Email = "⟦e|«em:u»⟧",
            NormalizedEmail = null,
            PasswordHash = "«aspnethash»",
            SecurityStamp = "«uuid»",
            ConcurrencyStamp = "«uuid»",
        },
    };

    // used by the integration tests: login with this pair
    public const string TestUser = "⟦e|«emi»⟧";
    public const string TestPassword = "⟦p|«pw»⟧";
    public const string PasswordLabel = "Passwort";
    public const string PasswordPolicy = "Password must contain at least 12 characters.";
}
''')

_doc("wp-config.php", r'''<?php
/**
 * The base configuration for WordPress
 *
 * @package WordPress
 */

// ** Database settings - You can get this info from your web host ** //
define( 'DB_NAME', 'wp_blog' );
define( 'DB_USER', 'wp_blog_user' );
define( 'DB_PASSWORD', '⟦p|«pw»⟧' );
define( 'DB_HOST', '⟦i|«ip4»⟧:3306' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );

/**#@+
 * Authentication unique keys and salts.
 * Change these to different unique phrases! https://api.wordpress.org/secret-key/1.1/salt/
 */
define( 'AUTH_KEY',         '⟦k|«wpsalt»⟧' );
define( 'SECURE_AUTH_KEY',  '⟦k|«wpsalt»⟧' );
define( 'LOGGED_IN_KEY',    '⟦k|«wpsalt»⟧' );
define( 'NONCE_KEY',        '⟦k|«wpsalt»⟧' );
define( 'AUTH_SALT',        '⟦k|«wpsalt»⟧' );
define( 'SECURE_AUTH_SALT', '⟦k|«wpsalt»⟧' );
define( 'LOGGED_IN_SALT',   '⟦k|«wpsalt»⟧' );
define( 'NONCE_SALT',       '⟦k|«wpsalt»⟧' );
/**#@-*/

$table_prefix = 'wp_';
define( 'WP_DEBUG', false );
define( 'WP_MEMORY_LIMIT', '256M' );
define( 'FS_METHOD', 'ftpext' );
define( 'FTP_HOST', '⟦i|«ip4»⟧' );
define( 'FTP_USER', 'blogftp' );
define( 'FTP_PASS', getenv( 'WP_FTP_PASS' ) );

if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
''')

_doc("src/Mail/Mailer.php", r'''<?php

namespace App\Mail;

use PHPMailer\PHPMailer\PHPMailer;

/**
 * @author «name» <⟦e|«em»⟧>
 */
final class Mailer
{
    private PHPMailer $mail;

    public function __construct(?string $password = null)
    {
        $this->mail = new PHPMailer(true);
        $this->mail->isSMTP();
        $this->mail->Host = 'smtp.zoho.eu';
        $this->mail->SMTPAuth = true;
        $this->mail->Username = '⟦e|«emw»⟧';
        $this->mail->Password = $password ?? "⟦p|«pws»⟧";
        $this->mail->SMTPSecure = PHPMailer::ENCRYPTION_STARTTLS;
        $this->mail->Port = 587;
        $this->mail->setFrom($this->mail->Username, 'Bookings');
        $this->mail->addReplyTo($this->mail->Username);
    }

    public function sendReset(string $to, string $link): void
    {
        $body = <<<HTML
        <p>Hi,</p>
        <p>Someone asked to reset your password. <a href="{$link}">Choose a new password</a>.</p>
        <p>Questions? Write to <a href="mailto:⟦e|«em:s»⟧">⟦e|«em:s»⟧</a>.</p>
        HTML;
        $this->mail->addAddress($to);
        $this->mail->Subject = 'Password reset';
        $this->mail->Body = $body;
        $this->mail->send();
    }
}
''')

_doc(".env", r'''APP_NAME=Bookings
APP_ENV=local
APP_KEY=base64:⟦k|«b64_32»⟧
APP_DEBUG=true
APP_URL=http://localhost

LOG_CHANNEL=stack

DB_CONNECTION=mysql
DB_HOST=⟦i|«ip4»⟧
DB_PORT=3306
DB_DATABASE=bookings
DB_USERNAME=bookings
DB_PASSWORD="⟦p|«pws»⟧"

REDIS_HOST=127.0.0.1
REDIS_PASSWORD=null
REDIS_PORT=6379

MAIL_MAILER=smtp
MAIL_HOST=smtp.mailtrap.io
MAIL_USERNAME=bookings-dev
MAIL_PASSWORD=⟦p|«pws»⟧
MAIL_FROM_ADDRESS="⟦e|«emw»⟧"

AWS_ACCESS_KEY_ID=⟦k|«aws_id»⟧
AWS_SECRET_ACCESS_KEY=⟦k|«aws_secret»⟧
AWS_DEFAULT_REGION=us-east-1

PUSHER_APP_ID=«int»
PUSHER_APP_CLUSTER=eu
PUSHER_APP_SECRET=⟦k|«hex32»⟧
TELEGRAM_BOT_TOKEN=⟦k|«telegram»⟧
''')

_doc("config/database.php", r'''<?php

use Illuminate\Support\Str;

return [
    'default' => env('DB_CONNECTION', 'mysql'),

    'connections' => [
        'mysql' => [
            'driver' => 'mysql',
            'host' => env('DB_HOST', '⟦i|«ip4»⟧'),
            'port' => env('DB_PORT', '3306'),
            'database' => env('DB_DATABASE', 'forge'),
            'username' => env('DB_USERNAME', 'forge'),
            'password' => env('DB_PASSWORD', ''),
            'unix_socket' => env('DB_SOCKET', ''),
        ],
        'pgsql' => [
            'driver' => 'pgsql',
            'url' => env('DATABASE_URL'),
            'host' => '10.8.0.12',
            'password' => env('PG_PASSWORD', ''),
        ],
        'legacy' => [
            'driver' => 'sqlsrv',
            'host' => '192.168.100.5',
            'username' => 'sa',
            'password' => '⟦p|«pw»⟧',
        ],
    ],

    'redis' => [
        'client' => env('REDIS_CLIENT', 'phpredis'),
        'options' => ['prefix' => Str::slug(env('APP_NAME', 'laravel'), '_').'_database_'],
        'default' => [
            'url' => 'tcp://⟦i|«ip4»⟧:6379?auth=⟦p|«pwu»⟧',
            'password' => env('REDIS_PASSWORD', null),
        ],
    ],
];
''')

_doc("config/database.yml", r'''default: &default
  adapter: postgresql
  encoding: unicode
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>

development:
  <<: *default
  database: shop_development
  username: shop
  password: ⟦p|«pws»⟧
  host: ⟦i|«ip4»⟧

test:
  <<: *default
  database: shop_test
  username: shop
  password:

staging:
  <<: *default
  url: postgres://shop:⟦p|«pwu»⟧@⟦i|«ip4»⟧:5432/shop_staging

production:
  <<: *default
  database: shop_production
  username: shop
  password: <%= ENV["SHOP_DATABASE_PASSWORD"] %>
''')

_doc("db/seeds.rb", r'''# frozen_string_literal: true
# Seeds for local development. Run with `bin/rails db:seed`.

admin = User.find_or_create_by!(email: "⟦e|«em»⟧") do |u|
  u.name = "«name»"
  u.password = "⟦p|«pw:adm»⟧"
  u.password_confirmation = "⟦p|«pw:adm»⟧"
  u.admin = true
end

[
  { email: "⟦e|«em»⟧", password: "⟦p|«pw»⟧", ip: "⟦i|«ip4»⟧" },
  { email: "⟦e|«emi»⟧", password: "⟦p|«pw»⟧", ip: "⟦i|«ip4»⟧" },
  { email: "seed-#{SecureRandom.hex(4)}@test.local", password: ENV.fetch("SEED_PASSWORD", nil), ip: "10.0.0.9" },
].each do |attrs|
  User.create!(email: attrs[:email], password: attrs[:password], last_sign_in_ip: attrs[:ip])
end

ApiClient.create!(name: "zapier", secret: "⟦k|«an40»⟧", owner: admin)

ActiveRecord::Base.connection.execute(<<~SQL)
  UPDATE users SET encrypted_password = '«bcrypt»' WHERE email LIKE '%@test.local';
SQL
''')

_doc("kestrel_cli.gemspec", r'''# frozen_string_literal: true

require_relative "lib/kestrel_cli/version"

Gem::Specification.new do |spec|
  spec.name = "kestrel_cli"
  spec.version = KestrelCli::VERSION
  spec.authors = ["«name»", "«name»"]
  spec.email = ["⟦e|«em»⟧"]
  spec.summary = "Command line client for the Kestrel API"
  spec.homepage = "https://github.com/kestrel-dev/kestrel_cli"
  spec.license = "MIT"
  spec.required_ruby_version = ">= 3.0.0"
  spec.metadata["rubygems_mfa_required"] = "true"
  spec.files = Dir["lib/**/*.rb", "exe/*"]
  spec.add_dependency "faraday", "~> 2.7"
  spec.add_dependency "thor", ">= 1.2.2.1"
end
''')

_doc("crates/ingest/src/main.rs", r'''//! ingest: pulls events from the partner API and writes them to ClickHouse.

use std::net::SocketAddr;

use reqwest::Client;
use serde::Deserialize;

const PARTNER_TOKEN: &str = "⟦k|«an40»⟧";
const LISTEN: &str = "0.0.0.0:9100";

#[derive(Debug, Deserialize)]
struct Settings {
    clickhouse_url: String,
    user: String,
    password: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            clickhouse_url: "http://⟦i|«ip4»⟧:8123".into(),
            user: "ingest".to_string(),
            password: "⟦p|«pw»⟧".to_string(),
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let upstream: SocketAddr = "⟦i|«ip4»⟧:443".parse()?;
    let v6: SocketAddr = "[::1]:8443".parse()?;
    let client = Client::new();
    let resp = client
        .get("https://partner.api/v1/events")
        .bearer_auth("⟦k|«jwt»⟧")
        .send()
        .await?;
    let pw = std::env::var("CLICKHOUSE_PASSWORD").unwrap_or_default();
    let raw = r#"{"user":"ingest","password":"⟦p|«pw»⟧"}"#;
    println!("{} {} {} {}", upstream, v6, resp.status(), raw.len() + pw.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_is_rejected() {
        assert!(super::reject("127.0.0.1"));
        assert!(super::reject("::1"));
    }
}
''')

_doc("Cargo.toml", r'''[package]
name = "tidewater-sim"
version = "0.7.3"
edition = "2021"
authors = ["«name» <⟦e|«em»⟧>", "«name» <⟦e|«emg»⟧>"]
description = "Tidal energy simulation toolkit"
license = "MIT OR Apache-2.0"
repository = "https://github.com/tidewater/sim"
rust-version = "1.70.0"

[dependencies]
nalgebra = "0.32.3"
serde = { version = "1.0.193", features = ["derive"] }
tokio = { version = "1.35.1", features = ["full"] }

[profile.release]
lto = true
''')

_doc("Sources/Networking/Environment.swift", r'''//
//  Environment.swift
//  Lumen
//
//  Created by «name» on 14/03/2023.
//  Contact: ⟦e|«em»⟧
//

import Foundation

enum Environment {
    static let baseURL = URL(string: "http://⟦i|«ip4»⟧:8080/api")!
    static let stagingURL = URL(string: "https://[⟦i|«ip6»⟧]/api")!
    static let slackBotToken = "⟦k|«xoxb»⟧"
    static let openWeatherApiKey = "⟦k|«hex32»⟧"
}

struct DemoAccount {
    let email = "⟦e|«emw»⟧"
    let password = "⟦p|«pw»⟧"
}

final class KeychainSetup {
    func seed() {
        // KeychainWrapper.standard.set("⟦p|«pw»⟧", forKey: "password")
        let label = NSLocalizedString("Password", comment: "password field label")
        print(label)
    }
}
''')

_doc("ios/Lumen/GoogleService-Info.plist", r'''<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>CLIENT_ID</key>
	<string>«int»-«md5».apps.googleusercontent.com</string>
	<key>API_KEY</key>
	<string>⟦k|«aiza»⟧</string>
	<key>GCM_SENDER_ID</key>
	<string>«int»</string>
	<key>PLIST_VERSION</key>
	<string>1</string>
	<key>BUNDLE_ID</key>
	<string>io.lumen.app</string>
	<key>PROJECT_ID</key>
	<string>lumen-prod-4f2a1</string>
	<key>GOOGLE_APP_ID</key>
	<string>1:«int»:ios:«md5»</string>
</dict>
</plist>
''')

_doc("scripts/nightly_report.pl", r'''#!/usr/bin/perl
# nightly_report.pl - mail yesterday's order totals
# Maintained by «name» (ops team)
use strict;
use warnings;
use DBI;
use Net::SMTP;

my $dsn  = "DBI:mysql:database=orders;host=⟦i|«ip4»⟧;port=3306";
my $dbh  = DBI->connect($dsn, "report", "⟦p|«pws»⟧", { RaiseError => 1 })
    or die $DBI::errstr;

my %smtp_cfg = (
    host     => '⟦i|«ip4»⟧',
    user     => '⟦e|«emw»⟧',
    password => '⟦p|«pw»⟧',
);

my $password = $ENV{REPORT_PASSWORD} // '';
my @to = split /,/, ($ENV{REPORT_TO} // 'ops');
my $sth = $dbh->prepare("SELECT SUM(total) FROM orders WHERE created_at >= CURDATE() - INTERVAL 1 DAY");
$sth->execute;
my ($sum) = $sth->fetchrow_array;
print "total: $sum\n";
''')

_doc("analysis/load_data.R", r'''# Load survey responses from the research database
# Author: «name» (⟦e|«emw»⟧)
library(DBI)
library(RPostgres)

con <- dbConnect(
  RPostgres::Postgres(),
  dbname   = "survey",
  host     = "⟦i|«ip4»⟧",
  port     = 5432,
  user     = "analyst",
  password = "⟦p|«pw»⟧"
)

# safer: password = Sys.getenv("SURVEY_DB_PASSWORD")
# or:    password = rstudioapi::askForPassword("Database password")

Sys.setenv(OPENAI_API_KEY = "⟦k|«openai»⟧")
responses <- dbGetQuery(con, "SELECT * FROM responses WHERE wave = 3")
summary(responses)
''')

_doc("infra/Setup-BuildAgent.ps1", r'''<#
.SYNOPSIS
  Registers this machine as an Azure DevOps build agent.
.NOTES
  Author: «name» <⟦e|«emw»⟧>
#>
param(
    [string]$Pool = "Default",
    [string]$AgentPassword
)

$pat = "⟦k|«adopat»⟧"
$securePass = ConvertTo-SecureString "⟦p|«pws»⟧" -AsPlainText -Force
$cred = New-Object System.Management.Automation.PSCredential ("svc-build", $securePass)
$prompted = Read-Host -AsSecureString "Password"

New-LocalUser -Name "buildagent" -Password $prompted
net user deploy ⟦p|«pws»⟧ /add

.\config.cmd --unattended --url https://dev.azure.com/acme --auth pat --token $pat `
    --pool $Pool --runAsService --windowsLogonAccount "svc-build" --windowsLogonPassword "⟦p|«pws»⟧"

Set-DnsClientServerAddress -InterfaceAlias "Ethernet" -ServerAddresses ("10.1.0.4", "⟦i|«ip4»⟧")
''')

_doc("config/runtime.exs", r'''import Config

config :chat, Chat.Repo,
  username: "chat",
  password: System.get_env("DB_PASSWORD") || "⟦p|«pw»⟧",
  hostname: "⟦i|«ip4»⟧",
  database: "chat_prod",
  pool_size: 10

config :chat, ChatWeb.Endpoint,
  secret_key_base: "⟦k|«b64_64»⟧",
  server: true

config :chat, Chat.Mailer,
  adapter: Swoosh.Adapters.Postmark,
  api_key: System.fetch_env!("POSTMARK_API_KEY")

config :chat, :admins, ["⟦e|«em»⟧", "⟦e|«emw»⟧"]
''')

_doc("deploy/release.sh", r'''#!/usr/bin/env bash
# release.sh -- build, push and roll out the API
# usage: ./release.sh <tag>
set -euo pipefail

TAG="${1:?usage: release.sh <tag>}"
REGISTRY="registry.acme.io"
DB_PASS="${DB_PASS:-⟦p|«pws»⟧}"
: "${SMTP_PASSWORD:=⟦p|«pws»⟧}"
export AWS_ACCESS_KEY_ID=⟦k|«aws_id»⟧
export AWS_SECRET_ACCESS_KEY=⟦k|«aws_secret»⟧
export AWS_DEFAULT_REGION=us-west-2

read -r -s -p "Vault password: " VAULT_PASS; echo

docker login -u ci-pusher -p "$REGISTRY_PASSWORD" "$REGISTRY"
echo "$GHCR_TOKEN" | docker login ghcr.io -u acme-bot --password-stdin
docker build -t "$REGISTRY/api:$TAG" .
docker push "$REGISTRY/api:$TAG"

# run migrations on the primary
PGPASSWORD="$DB_PASS" psql -h ⟦i|«ip4»⟧ -U api -d api -f migrations/latest.sql
mysql -uroot -p'⟦p|«pws»⟧' -h 127.0.0.1 -e "FLUSH TABLES;"
mysqldump --user=backup --password="$BACKUP_PW" --host=10.20.0.7 api > /tmp/api.sql

for host in ⟦i|«ip4»⟧ 10.20.0.7 10.20.0.8; do
  sshpass -p '⟦p|«pws»⟧' ssh -o StrictHostKeyChecking=no deploy@"$host" "sudo systemctl restart api"
done

curl -fsS -u admin:⟦p|«pwu»⟧ "https://rabbit.internal:15672/api/overview" > /dev/null
curl -fsS -H "Authorization: Bearer ⟦k|«hvs»⟧" https://vault.acme.io/v1/sys/health

cat > /etc/api/secrets.env <<EOF2
DB_PASSWORD=⟦p|«pws»⟧
SENTRY_AUTH_TOKEN=⟦k|«hex64»⟧
EOF2
echo "released $TAG"
''')

_doc("db/init/001_users.sql", r'''-- 001_users.sql
-- created by «name» <⟦e|«emw»⟧> on 2022-11-03

CREATE ROLE app_rw WITH LOGIN PASSWORD '⟦p|«pws»⟧';
CREATE ROLE app_ro WITH LOGIN PASSWORD NULL;
CREATE ROLE replicator WITH REPLICATION LOGIN ENCRYPTED PASSWORD '⟦p|«pws»⟧';
ALTER ROLE app_rw SET search_path = app, public;

-- MySQL side (reporting replica)
CREATE USER 'report'@'10.0.%' IDENTIFIED BY '⟦p|«pws»⟧';
GRANT SELECT ON reporting.* TO 'report'@'10.0.%';
ALTER USER 'root'@'localhost' IDENTIFIED WITH mysql_native_password BY '⟦p|«pws»⟧';

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    last_ip       INET
);

INSERT INTO users (email, password_hash, last_ip) VALUES
    ('⟦e|«em»⟧', '«bcrypt»', '⟦i|«ip4»⟧'),
    ('⟦e|«em»⟧', '«argon»', '⟦i|«ip6»⟧'),
    ('anonymous', '«pbkdf2»', '192.168.10.2');

INSERT INTO api_keys (owner, key_sha256, created_by_ip) VALUES
    (1, '«sha256»', '127.0.0.1');
''')

_doc("docker-compose.yml", r'''version: "3.9"

services:
  db:
    image: postgres:15.4
    environment:
      POSTGRES_USER: gitea
      POSTGRES_PASSWORD: ⟦p|«pws»⟧
      POSTGRES_DB: gitea
    ports:
      - "127.0.0.1:5432:5432"
    networks:
      backend:
        ipv4_address: 172.28.0.10

  mysql:
    image: mysql:8.0.35
    environment:
      - MYSQL_ROOT_PASSWORD_FILE=/run/secrets/mysql_root
      - MYSQL_PASSWORD=${MYSQL_PASSWORD}
      - MYSQL_USER=matomo

  app:
    image: gitea/gitea@sha256:«sha256»
    environment:
      - GITEA__database__PASSWD=⟦p|«pws»⟧
      - GITEA__mailer__USER=⟦e|«em»⟧
      - GITEA__mailer__PASSWD=${MAILER_PASSWD:-⟦p|«pws»⟧}
      - GITEA__security__SECRET_KEY=⟦k|«an40»⟧
      - GITEA__security__INTERNAL_TOKEN=⟦k|«jwt»⟧
    extra_hosts:
      - "git.partner.net:⟦i|«ip4»⟧"
    dns:
      - 1.1.1.1
      - 1.0.0.1
    depends_on: [db]

networks:
  backend:
    ipam:
      config:
        - subnet: 172.28.0.0/16
''')

_doc("Dockerfile", r'''FROM python:3.11.7-slim@sha256:«sha256»

LABEL maintainer="«name» <⟦e|«em»⟧>" \
      org.opencontainers.image.authors="⟦e|«emw»⟧" \
      org.opencontainers.image.version="2.4.0.1"

ARG PIP_INDEX_PASSWORD
ARG NPM_TOKEN
ENV PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=shop.settings \
    DATABASE_URL=postgres://shop:⟦p|«pwu»⟧@⟦i|«ip4»⟧:5432/shop

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir \
      --index-url https://ci:⟦p|«pwu»⟧@nexus.acme-corp.io/repository/pypi/simple \
      -r requirements.txt
RUN echo "//registry.npmjs.org/:_authToken=⟦k|«npm»⟧" > /root/.npmrc && npm ci
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc.ci
COPY . .
EXPOSE 8000
HEALTHCHECK CMD curl -f http://127.0.0.1:8000/health || exit 1
CMD ["gunicorn", "shop.wsgi", "-b", "0.0.0.0:8000"]
''')

_doc(".github/workflows/deploy.yml", r'''name: deploy

on:
  push:
    branches: [main]

env:
  REGISTRY: ghcr.io
  SONAR_TOKEN: ⟦k|«squ»⟧
  DOCKER_PASSWORD: ${{ secrets.DOCKER_PASSWORD }}

jobs:
  build:
    runs-on: ubuntu-22.04
    services:
      postgres:
        image: postgres:16
        env:
          POSTGRES_PASSWORD: ⟦p|«pws»⟧
        ports: ["5432:5432"]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20.10.0
      - name: Configure git
        run: |
          git config user.name "«name»"
          git config user.email "⟦e|«emg»⟧"
      - name: Login
        uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: acme-bot
          password: ⟦k|«ghp»⟧
      - name: Notify
        run: |
          curl -X POST -H "Authorization: token ⟦k|«ghs»⟧" \
            https://api.github.com/repos/${{ github.repository }}/dispatches
          curl -sSf -H "DD-API-KEY: ⟦k|«dd»⟧" https://api.datadoghq.eu/api/v1/validate
      - name: Deploy
        run: ssh -i ~/.ssh/id_ed25519 deploy@⟦i|«ip4»⟧ ./deploy.sh ${{ github.sha }}
''')

_doc(".gitlab-ci.yml", r'''stages: [test, deploy]

variables:
  POSTGRES_DB: app_test
  POSTGRES_USER: runner
  POSTGRES_PASSWORD: "⟦p|«pws»⟧"
  DATABASE_URL: "postgresql://runner:⟦p|«pwu»⟧@postgres:5432/app_test"
  DOCKER_AUTH_CONFIG: ""
  STAGING_HOST: staging.internal

test:
  stage: test
  image: python:3.12
  services: [postgres:16]
  script:
    - pip install -r requirements-dev.txt
    - pytest -q

deploy_staging:
  stage: deploy
  script:
    - git remote add staging https://oauth2:⟦k|«glpat»⟧@gitlab.com/acme/app.git
    - git push staging HEAD:main
    - 'curl --header "PRIVATE-TOKEN: ⟦k|«glpat»⟧" "https://gitlab.com/api/v4/projects/42/pipelines"'
    - ansible-playbook -i "$STAGING_HOST," deploy.yml --extra-vars "ansible_become_password=⟦p|«pws»⟧"
  only: [main]
''')

_doc("k8s/payments/secret.yaml", r'''apiVersion: v1
kind: Secret
metadata:
  name: payments-secrets
  namespace: payments
type: Opaque
stringData:
  DB_PASSWORD: "⟦p|«pws»⟧"
  STRIPE_API_KEY: "⟦k|«sk_live»⟧"
  WEBHOOK_SIGNING_SECRET: "⟦k|«whsec»⟧"
  SMTP_URL: "smtps://payments:⟦p|«pwu»⟧@smtp.acme.io:465"
  tls.key: |
    ⟦k|«ec_y4»⟧
  tls.crt: |
    «cert_y4»
---
apiVersion: v1
kind: Service
metadata:
  name: payments
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-internal: "true"
spec:
  type: LoadBalancer
  loadBalancerIP: ⟦i|«ip4»⟧
  loadBalancerSourceRanges:
    - ⟦i|«net4»⟧/24
    - 10.0.0.0/8
  ports:
    - port: 443
      targetPort: 8443
''')

_doc("terraform/main.tf", r'''terraform {
  required_version = ">= 1.5.0"
  backend "s3" {
    bucket = "acme-tf-state"
    key    = "prod/terraform.tfstate"
    region = "us-east-1"
  }
}

provider "aws" {
  region     = "us-east-1"
  access_key = "⟦k|«aws_id»⟧"
  secret_key = "⟦k|«aws_secret»⟧"
}

provider "digitalocean" {
  token = var.do_token
}

resource "aws_db_instance" "main" {
  identifier        = "prod-main"
  engine            = "postgres"
  engine_version    = "15.4"
  instance_class    = "db.t3.medium"
  username          = "acme_admin"
  password          = "⟦p|«pws»⟧"
  kms_key_id        = "arn:aws:kms:us-east-1:«acct»:key/«uuid»"
  storage_encrypted = true
}

resource "aws_security_group_rule" "office_ssh" {
  type        = "ingress"
  from_port   = 22
  to_port     = 22
  protocol    = "tcp"
  cidr_blocks = ["⟦i|«ip4»⟧/32", "203.0.113.0/24"]
  ipv6_cidr_blocks = ["⟦i|«ip6»⟧/128"]
  security_group_id = aws_security_group.bastion.id
}

resource "aws_security_group_rule" "egress_all" {
  type        = "egress"
  from_port   = 0
  to_port     = 0
  protocol    = "-1"
  cidr_blocks = ["0.0.0.0/0"]
  ipv6_cidr_blocks = ["::/0"]
  security_group_id = aws_security_group.bastion.id
}

variable "do_token" {
  type      = string
  sensitive = true
  default   = "⟦k|«dop»⟧"
}

variable "db_password" {
  type    = string
  default = ""
}
''')

_doc("inventory/hosts.ini", r'''[web]
web-01 ansible_host=⟦i|«ip4»⟧ ansible_user=deploy
web-02 ansible_host=⟦i|«ip4»⟧ ansible_user=deploy ansible_password="{{ vault_web_password }}"
web-03 ansible_host=fd42:7a::13 ansible_user=deploy

[db]
db-01 ansible_host=10.40.1.5 ansible_user=root ansible_ssh_pass=⟦p|«pws»⟧ ansible_become_pass="{{ lookup('env', 'BECOME_PASS') }}"

[windows]
win-01 ansible_host=⟦i|«ip4»⟧

[windows:vars]
ansible_user=Administrator
ansible_password=⟦p|«pws»⟧
ansible_connection=winrm
ansible_winrm_server_cert_validation=ignore

[all:vars]
ansible_python_interpreter=/usr/bin/python3
admin_email=⟦e|«emw»⟧
ntp_servers=['0.pool.ntp.org', '1.pool.ntp.org']
''')

_doc("nginx/conf.d/api.conf", r'''upstream api_backend {
    server ⟦i|«ip4»⟧:8000 weight=3;
    server 10.0.1.11:8000;
    server 10.0.1.12:8000 backup;
    keepalive 32;
}

server {
    listen 80;
    listen [::]:80;
    server_name api.fernwood.studio;

    resolver 8.8.8.8 1.1.1.1 valid=300s;
    resolver_timeout 5s;

    location /admin/ {
        allow ⟦i|«ip4»⟧;
        allow ⟦i|«net4»⟧/24;
        allow fd00::/8;
        allow 127.0.0.1;
        deny all;
        auth_basic "Restricted";
        auth_basic_user_file /etc/nginx/.htpasswd;
        proxy_pass http://api_backend;
    }

    location / {
        proxy_pass http://api_backend;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header Host $host;
    }

    ssl_protocols TLSv1.2 TLSv1.3;
}
''')

_doc("haproxy/haproxy.cfg", r'''global
    log 127.0.0.1 local0
    maxconn 4096
    stats socket /run/haproxy/admin.sock mode 660 level admin

defaults
    mode http
    timeout connect 5s
    timeout client  30s
    timeout server  30s

listen stats
    bind *:8404
    stats enable
    stats uri /stats
    stats auth admin:⟦p|«pwa»⟧
    stats auth ops:⟦p|«pwa»⟧

frontend fe_https
    bind :443 ssl crt /etc/haproxy/certs/site.pem
    acl office src ⟦i|«ip4»⟧ 10.0.0.0/8
    http-request deny if { path_beg /internal } !office
    default_backend be_app

backend be_app
    balance roundrobin
    option httpchk GET /healthz
    server app1 ⟦i|«ip4»⟧:8080 check
    server app2 10.4.0.12:8080 check
    server app3 [⟦i|«ip6»⟧]:8080 check
    server local 127.0.0.1:8080 check backup
''')

_doc("home/.pgpass", r'''# hostname:port:database:username:password
⟦i|«ip4»⟧:5432:analytics:analyst:⟦p|«pws»⟧
localhost:5432:*:postgres:
db.internal.fjordtech.no:6432:billing:billing_ro:⟦p|«pws»⟧
''')

_doc("home/.netrc", r'''machine api.heroku.com
  login ⟦e|«em»⟧
  password ⟦p|«pwr»⟧
machine git.heroku.com
  login ⟦e|«em»⟧
  password ⟦p|«pwr»⟧
machine github.com login acme-bot password ⟦k|«ghp»⟧
''')

_doc("home/.git-credentials", r'''https://mpetrov:⟦p|«pwu»⟧@bitbucket.org
https://x-access-token:⟦k|«ghs»⟧@github.com
https://oauth2:⟦k|«glpat»⟧@gitlab.com
https://jenkins:⟦p|«pwu»⟧@⟦i|«ip4»⟧:8443
''')

_doc("ci/maven/settings.xml", r'''<?xml version="1.0" encoding="UTF-8"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.2.0">
  <servers>
    <server>
      <id>acme-releases</id>
      <username>deployer</username>
      <password>⟦p|«pws»⟧</password>
    </server>
    <server>
      <id>github</id>
      <username>acme-bot</username>
      <password>⟦k|«ghp»⟧</password>
    </server>
    <server>
      <id>ossrh</id>
      <username>${env.OSSRH_USER}</username>
      <password>${env.OSSRH_PASSWORD}</password>
    </server>
  </servers>
  <mirrors>
    <mirror>
      <id>nexus</id>
      <url>http://⟦i|«ip4»⟧:8081/repository/maven-public/</url>
      <mirrorOf>*</mirrorOf>
    </mirror>
  </mirrors>
  <proxies>
    <proxy>
      <active>true</active>
      <protocol>http</protocol>
      <host>proxy.corp.local</host>
      <port>3128</port>
      <username>build</username>
      <password>⟦p|«pws»⟧</password>
    </proxy>
  </proxies>
</settings>
''')

_doc("pom.xml", r'''<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.halcyon</groupId>
  <artifactId>ledger-core</artifactId>
  <version>3.2.1.4</version>

  <developers>
    <developer>
      <id>dagnyh</id>
      <name>«name»</name>
      <email>⟦e|«em»⟧</email>
      <organization>Halcyon</organization>
    </developer>
    <developer>
      <name>«name»</name>
      <email>⟦e|«emw»⟧</email>
    </developer>
  </developers>

  <properties>
    <java.version>17</java.version>
    <spring-boot.version>3.1.5</spring-boot.version>
    <flyway.url>jdbc:postgresql://⟦i|«ip4»⟧:5432/ledger</flyway.url>
    <flyway.user>ledger</flyway.user>
    <flyway.password>⟦p|«pws»⟧</flyway.password>
  </properties>

  <dependencies>
    <dependency>
      <groupId>org.bouncycastle</groupId>
      <artifactId>bcprov-jdk18on</artifactId>
      <version>1.77</version>
    </dependency>
    <dependency>
      <groupId>net.java.dev.jna</groupId>
      <artifactId>jna</artifactId>
      <version>5.13.0.1</version>
    </dependency>
  </dependencies>
</project>
''')

_doc("src/Acme.Portal/Web.config", r'''<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <connectionStrings>
    <add name="PortalDb"
         connectionString="Data Source=⟦i|«ip4»⟧;Initial Catalog=Portal;User ID=portal;Password=⟦p|«pws»⟧;MultipleActiveResultSets=True"
         providerName="System.Data.SqlClient" />
    <add name="AuditDb"
         connectionString="Server=10.2.0.15;Database=Audit;Integrated Security=SSPI;"
         providerName="System.Data.SqlClient" />
  </connectionStrings>
  <appSettings>
    <add key="SmtpUser" value="⟦e|«emw»⟧" />
    <add key="SmtpPassword" value="⟦p|«pws»⟧" />
    <add key="PayPalClientSecret" value="⟦k|«paypal»⟧" />
    <add key="RecaptchaSiteKey" value="6Lc«an32:z»" />
    <add key="ClientValidationEnabled" value="true" />
    <add key="PasswordResetEmailSubject" value="Reset your password" />
  </appSettings>
  <system.web>
    <compilation debug="false" targetFramework="4.8" />
    <machineKey validationKey="⟦k|«hex128»⟧"
                decryptionKey="⟦k|«hex48»⟧"
                validation="HMACSHA256" decryption="AES" />
  </system.web>
</configuration>
''')

_doc("README.md", r'''# tessellate

Vector tile server with pluggable styles.

## Quick start

```bash
export TESSELLATE_API_KEY=<your-api-key>
docker run -p 8080:8080 -e POSTGRES_PASSWORD=changeme -e TESSELLATE_API_KEY ghcr.io/tessellate/server:1.9.2
curl -H "Authorization: Bearer YOUR_API_KEY" http://localhost:8080/v1/tiles/0/0/0.pbf
```

Config file (`tessellate.toml`):

```toml
[database]
url = "postgres://tiles:xxxxxxxx@localhost/tiles"
password = "${TESSELLATE_DB_PASSWORD}"
```

## Public demo

A demo instance runs at `http://⟦i|«ip4»⟧:8080`.
Log in with `demo` / `⟦p|«pw»⟧`.
The demo reads a Mapbox token: `MAPBOX_TOKEN=⟦k|«mapbox»⟧`.

Docs examples use 192.0.2.15 and 2001:db8::15; your LAN will be 192.168.x.x.

## Maintainers

* «name» — [⟦e|«em:m»⟧](mailto:⟦e|«em:m»⟧)
* «name» — @ivo-on-github
* «name» (@hanak) — <⟦e|«emw»⟧>

Security issues: please mail ⟦e|«emw»⟧ rather than opening an issue.
''')

_doc("AUTHORS", r'''# This is the list of significant contributors.
#
# Names should be added to this file like so:
#     Name <email address>

«name» <⟦e|«em»⟧>
«name» <⟦e|«emi»⟧>
«name» <⟦e|«emg»⟧>
«name» (no email)
Tidewater Energy AS <⟦e|«em»⟧>
''')

_doc(".mailmap", r'''# Canonical names for `git shortlog`; see gitmailmap(5).
«name:a» <⟦e|«em»⟧> <⟦e|«emg»⟧>
''')

_doc("docs/changelog-git.txt", r'''commit «sha1»
Merge: «sha1:x» «sha1:y»
Author: «name» <⟦e|«em»⟧>
Date:   Tue Oct 10 14:22:31 2023 +0200

    Merge pull request #481 from fix/ipv6-parsing

commit «sha1»
Author: «name» <⟦e|«emg»⟧>
Date:   Mon Oct 9 09:01:12 2023 +0900

    Fix IPv6 zone parsing (fe80::1%eth0) and reject ::ffff:127.0.0.1

    Reported-by: @oyelaran on the forum
    Signed-off-by: «name:co» <⟦e|«emg:co»⟧>
    Co-authored-by: «name:co» <⟦e|«emg:co»⟧>

commit «sha1»
Author: dependabot[bot] <⟦e|support@github.com⟧>
Date:   Fri Oct 6 03:12:45 2023 +0000

    Bump urllib3 from 2.0.6 to 2.0.7
''')

_doc("logs/nginx/access.log", r'''⟦i|«ip4»⟧ - - [12/Nov/2023:06:25:14 +0000] "GET /api/v1/health HTTP/1.1" 200 17 "-" "kube-probe/1.27"
10.244.3.17 - - [12/Nov/2023:06:25:15 +0000] "GET /metrics HTTP/1.1" 200 5120 "-" "Prometheus/2.47.2"
⟦i|«ip4»⟧ - - [12/Nov/2023:06:25:19 +0000] "POST /api/v1/login HTTP/1.1" 401 64 "https://app.fernwood.studio/" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
172.18.0.1 - - [12/Nov/2023:06:25:19 +0000] "GET /wp-login.php HTTP/1.1" 404 153 "-" "Mozilla/5.0 zgrab/0.x"
⟦i|«ip6»⟧ - - [12/Nov/2023:06:25:21 +0000] "GET /static/app.3f9a1c.js HTTP/2.0" 200 88213 "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.1 Safari/605.1.15"
127.0.0.1 - - [12/Nov/2023:06:25:22 +0000] "GET /nginx_status HTTP/1.1" 200 110 "-" "curl/8.4.0"
192.168.88.20 - admin [12/Nov/2023:06:25:30 +0000] "GET /.env HTTP/1.1" 403 153 "-" "python-requests/2.31.0"
100.64.7.9 - - [12/Nov/2023:06:25:31 +0000] "GET / HTTP/1.1" 301 169 "-" "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Mobile/15E148 Edge/119.0.2151.65"
10.244.1.9 - - [12/Nov/2023:06:25:33 +0000] "GET /api/v1/users?email=⟦e|«em»⟧ HTTP/1.1" 200 412 "-" "okhttp/4.12.0"
fe80::5054:ff:fe12:3456 - - [12/Nov/2023:06:25:40 +0000] "GET /robots.txt HTTP/1.1" 200 67 "-" "Googlebot/2.1 (+http://www.google.com/bot.html)"
''')

_doc("logs/auth.log", r'''Nov 12 03:14:07 bastion sshd[20931]: Invalid user oracle from ⟦i|«ip4:a»⟧ port 51022
Nov 12 03:14:09 bastion sshd[20931]: Failed password for invalid user oracle from ⟦i|«ip4:a»⟧ port 51022 ssh2
Nov 12 03:14:12 bastion sshd[20935]: Failed password for root from ⟦i|«ip4»⟧ port 40112 ssh2
Nov 12 03:15:01 bastion CRON[20940]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)
Nov 12 03:16:44 bastion sshd[20951]: Accepted publickey for deploy from ⟦i|«ip4»⟧ port 60414 ssh2: ED25519 SHA256:«b64_32:fp»
Nov 12 03:16:45 bastion sshd[20951]: pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)
Nov 12 03:17:02 bastion sshd[20960]: Failed password for invalid user admin from ⟦i|«ip6»⟧ port 33510 ssh2
Nov 12 03:17:03 bastion sshd[20962]: Connection from 192.0.2.44 port 4410 on 10.0.0.4 port 22
Nov 12 03:17:30 bastion sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl restart api
Nov 12 03:18:11 bastion sshd[20971]: Accepted password for ops from 10.8.0.6 port 50022 ssh2
Nov 12 03:19:55 bastion sshd[20980]: error: maximum authentication attempts exceeded for root from 100.72.14.3 port 22816 ssh2 [preauth]
''')

_doc("logs/app-2023-11-12.jsonl", r'''{"ts":"2023-11-12T08:01:12.442Z","level":"info","msg":"login ok","user":"⟦e|«em»⟧","ip":"⟦i|«ip4»⟧","ua":"Mozilla/5.0","req":"«uuid»"}
{"ts":"2023-11-12T08:01:13.019Z","level":"warn","msg":"login failed","user":"⟦e|«emi»⟧","ip":"⟦i|«ip6»⟧","reason":"bad_password"}
{"ts":"2023-11-12T08:01:15.870Z","level":"info","msg":"password reset requested","user_id":48213,"ip":"10.1.9.4"}
{"ts":"2023-11-12T08:02:00.001Z","level":"debug","msg":"upstream","host":"10.1.4.22","port":5432,"db":"orders","version":"15.4.0.2"}
{"ts":"2023-11-12T08:02:03.315Z","level":"error","msg":"smtp auth failed","dsn":"smtp://notify:⟦p|«pwu»⟧@⟦i|«ip4»⟧:587","attempt":3}
{"ts":"2023-11-12T08:02:09.004Z","level":"info","msg":"webhook delivered","target":"https://hooks.example.org/x","sig_sha256":"«sha256»"}
{"ts":"2023-11-12T08:03:41.556Z","level":"info","msg":"client connected","peer":"[::1]:53214","proto":"h2"}
''')

_doc("ops/firewall.sh", r'''#!/bin/sh
# firewall.sh - host firewall for the bastion. Owner: ⟦e|«emw»⟧
set -e
IPT=/sbin/iptables
IPT6=/sbin/ip6tables

$IPT -F
$IPT -P INPUT DROP
$IPT -A INPUT -i lo -j ACCEPT
$IPT -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT

# office + VPN egress
for src in ⟦i|«ip4»⟧ ⟦i|«net4»⟧/24 10.8.0.0/24 192.168.50.0/24; do
  $IPT -A INPUT -p tcp -s "$src" --dport 22 -j ACCEPT
done

# monitoring
$IPT -A INPUT -p tcp -s 10.8.0.5 --dport 9100 -j ACCEPT
# known scanner, blocked 2023-09
$IPT -A INPUT -s ⟦i|«ip4»⟧ -j DROP
$IPT -A INPUT -s 169.254.0.0/16 -j DROP
$IPT -A INPUT -d 224.0.0.0/4 -j DROP

$IPT6 -A INPUT -s fe80::/10 -j ACCEPT
$IPT6 -A INPUT -p tcp -s fd00:10:8::/48 --dport 22 -j ACCEPT
$IPT6 -A INPUT -p tcp -s ⟦i|«ip6f»⟧ --dport 22 -j ACCEPT
''')

_doc("etc/hosts", r'''127.0.0.1       localhost
127.0.1.1       bastion.fjordtech.no bastion
::1             localhost ip6-localhost ip6-loopback
ff02::1         ip6-allnodes
ff02::2         ip6-allrouters

# production
⟦i|«ip4»⟧   db-primary.fjordtech.no db-primary
10.0.5.21       db-replica.fjordtech.no db-replica
⟦i|«ip6»⟧   api.fjordtech.no
10.0.5.20       cache.internal
0.0.0.0         ads.tracker.invalid
''')

_doc("etc/wireguard/wg0.conf", r'''[Interface]
# laptop of «name» (⟦e|«em»⟧)
Address = 10.66.0.2/32, fd86:ea04:1115::2/128
PrivateKey = ⟦k|«b64_32»⟧
DNS = 1.1.1.1, 2606:4700:4700::1111
MTU = 1420

[Peer]
PublicKey = «b64_32»
PresharedKey = ⟦k|«b64_32»⟧
Endpoint = ⟦i|«ip4»⟧:51820
AllowedIPs = 0.0.0.0/0, ::/0
PersistentKeepalive = 25

[Peer]
PublicKey = «b64_32»
Endpoint = vpn2.fjordtech.no:51820
AllowedIPs = 10.66.0.0/24
''')

_doc("home/.ssh/config+id_ed25519", r'''# ~/.ssh/config
Host bastion
    HostName ⟦i|«ip4»⟧
    User deploy
    IdentityFile ~/.ssh/id_ed25519
    ForwardAgent no

Host db-*
    ProxyJump bastion
    User postgres

Host legacy
    HostName 192.168.1.30
    Port 2222
    KexAlgorithms +diffie-hellman-group14-sha1

# ~/.ssh/id_ed25519  (committed by accident in dotfiles)
⟦k|«openssh»⟧

# ~/.ssh/id_ed25519.pub
«sshpub» deploy@buildbox
''')

_doc("certs/api.fernwood.studio/bundle.pem", r'''# api.fernwood.studio, issued 2023-08-02, expires 2024-08-01
# generated by «name» (⟦e|«em»⟧) with: openssl req -new -newkey rsa:2048 -nodes
⟦k|«rsa»⟧
«cert»
«cert»
''')

_doc("tests/test_jwt_middleware.py", r'''import time

import jwt
import pytest

from api.auth import decode_token, JWKS_URL

# Public key of the staging issuer; safe to commit.
STAGING_PUBLIC_KEY = """«pubpem»"""

# Signing key for the test issuer (copied from staging -- TODO: generate in conftest)
TEST_SIGNING_KEY = """⟦k|«rsa»⟧"""

VALID = "⟦k|«jwt»⟧"
EXPIRED = (
    "⟦k|«jwt»⟧"
)
KID = "«sha256:kid»"[:16]
HMAC_SECRET = "⟦k|«b64_64»⟧"


def test_valid_token():
    claims = decode_token(VALID, key=STAGING_PUBLIC_KEY)
    assert claims["sub"]


def test_expired_token():
    with pytest.raises(jwt.ExpiredSignatureError):
        decode_token(EXPIRED, key=STAGING_PUBLIC_KEY)


def test_hmac_roundtrip():
    tok = jwt.encode({"sub": "42", "iat": int(time.time())}, HMAC_SECRET, algorithm="HS256")
    assert jwt.decode(tok, HMAC_SECRET, algorithms=["HS256"])["sub"] == "42"


def test_header_without_token(client):
    resp = client.get("/me", headers={"Authorization": "Bearer "})
    assert resp.status_code == 401
''')

_doc("locales/de.yml", r'''de:
  auth:
    email: "E-Mail-Adresse"
    password: "Passwort"
    password_confirmation: "Passwort bestätigen"
    forgot_password: "Passwort vergessen?"
    password_too_short: "Das Passwort muss mindestens %{count} Zeichen lang sein"
    new_password: Neues Passwort
    current_password: Aktuelles Passwort
  settings:
    api_key: "API-Schlüssel"
    api_key_hint: "Beginnt mit sk_live_…"
    secret: "Geheimnis"
  support:
    contact: "Fragen? Schreib uns an ⟦e|«emi»⟧."
''')

_doc("src/i18n/messages.ts", r'''export const messages = {
  en: { password: 'Password', passwordHint: 'At least 12 characters', token: 'Access token' },
  fr: { password: 'Mot de passe', passwordHint: 'Au moins 12 caractères', token: "Jeton d'accès" },
  es: { password: 'Contraseña', passwordHint: 'Al menos 12 caracteres', token: 'Token de acceso' },
  ja: { password: 'パスワード', passwordHint: '12文字以上', token: 'アクセストークン' },
  ru: { password: 'Пароль', passwordHint: 'Не менее 12 символов', token: 'Токен доступа' },
};

export const PASSWORD_FIELD = 'password';
export const TOKEN_HEADER = 'X-Auth-Token';
export const API_KEY_PARAM = 'api_key';
export type PasswordStrength = 'weak' | 'ok' | 'strong';
''')

_doc("crypto/x509_names.py", r'''"""OIDs and digests used by the certificate checker. Nothing secret lives here."""
import hashlib
import os
import uuid

OID_COMMON_NAME = "2.5.4.3"
OID_COUNTRY = "2.5.4.6"
OID_ORGANIZATION = "2.5.4.10"
OID_SAN = "2.5.29.17"
OID_SHA256_RSA = "1.2.840.113549.1.1.11"
OID_EV_POLICY = "2.23.140.1.1"

LIB_VERSION = "4.0.2.19"
MIN_OPENSSL = "1.1.1.0"

EXPECTED_SHA256 = "«sha256»"
EXPECTED_MD5 = "«md5»"
checksum = "«sha1»"
digest = "sha384-«b64_32»"
integrity = "«sri»"

SESSION_NAMESPACE = uuid.UUID("«uuid»")
REQUEST_ID = "«uuid»"
TENANT_ID = "«uuid»"

API_KEY = os.environ.get("API_KEY", "")
SECRET = "${SECRET}"
TOKEN_PLACEHOLDER = "{{ secret }}"
PASSWORD = "<password>"
CLIENT_SECRET = "YOUR_CLIENT_SECRET"
STRIPE_KEY = "sk_test_xxxxxxxxxxxxxxxxxxxxxxxx"
AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
DEFAULT_ADMIN_PASSWORD = "changeme"

MULTICAST_GROUP = "239.255.255.250"
BROADCAST = "255.255.255.255"
CGNAT_GW = "100.64.0.1"
METADATA_URL = "http://169.254.169.254/latest/meta-data/"
LINK_LOCAL_V6 = "fe80::a00:27ff:fe4e:66a1"
DOC_V6 = "2001:db8:85a3::8a2e:370:7334"
ANY = "0.0.0.0"
MAC = "3c:22:fb:8e:01:9d"
CLOCK = "12:30:45"
RETINA_ICON = "icons/logo@2x.png"


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def weights(a, b):
    return a @ b  # matrix product, not an address
''')

_doc(".pypirc", r'''[distutils]
index-servers =
    pypi
    testpypi
    internal

[pypi]
username = __token__
password = ⟦k|«pypi»⟧

[testpypi]
repository = https://test.pypi.org/legacy/
username = __token__
password = ⟦k|«pypi»⟧

[internal]
repository = http://⟦i|«ip4»⟧:8080
username = uploader
password = ⟦p|«pws»⟧
''')

_doc("pip.conf", r'''[global]
timeout = 60
index-url = https://pypi.org/simple
extra-index-url =
    https://build:⟦p|«pwu»⟧@nexus.orbitalmechanics.tech/repository/pypi-internal/simple
    https://__token__:⟦k|«glpat»⟧@gitlab.com/api/v4/projects/1234/packages/pypi/simple
trusted-host = nexus.orbitalmechanics.tech
''')

_doc("config/app.toml", r'''# Runtime configuration for `relay`
title = "relay"
version = "2.1.0"

[server]
bind = "0.0.0.0:7000"
public_addr = "⟦i|«ip4»⟧"
public_addr_v6 = "::"

[database]
url = "postgres://relay:⟦p|«pwu»⟧@⟦i|«ip4»⟧:5432/relay?sslmode=require"
max_connections = 20

[smtp]
host = "smtp.fastmail.com"
username = "⟦e|«em»⟧"
password = "⟦p|«pw»⟧"
from = "Relay <⟦e|«emw»⟧>"

[integrations]
linear_api_key = "⟦k|«lin»⟧"
databricks_token = "⟦k|«dapi»⟧"
atlassian_token = "⟦k|«atlassian»⟧"
sops_age_key = "⟦k|«age»⟧"
webhook_secret = "" # set in env
''')

_doc("public/contact.html", r'''<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Contact — Coralreef Diving</title>
  <script async src="https://www.googletagmanager.com/gtag/js?id=G-7Q2XK9LM3P"></script>
  <style>@media (max-width: 600px) { .card { padding: 8px; } }</style>
</head>
<body>
  <h1>Get in touch</h1>
  <p>Bookings: <a href="mailto:⟦e|«em:b»⟧?subject=Booking">⟦e|«em:b»⟧</a></p>
  <p>Instructors: «name» and «name»</p>
  <form action="/login" method="post">
    <label for="pw">Password</label>
    <input id="pw" type="password" name="password" placeholder="••••••••" autocomplete="current-password">
    <input type="hidden" name="request_id" value="«uuid»">
  </form>
  <img src="/img/logo@2x.png" srcset="/img/logo@3x.png 3x" alt="logo">
  <!-- staging: http://⟦i|«ip4»⟧/ admin / ⟦p|«pws»⟧ -->
</body>
</html>
''')


# ------------------------------------------------------------------------------- public API

def testset3_documents() -> list[LabelledDoc]:
    """The held-out documents, deterministic across runs."""
    return [_parse(name, _fill(name, template)) for name, template in DOCS]


def _check() -> dict[str, int]:
    counts = {"email": 0, "ip_address": 0, "key": 0, "password": 0}
    names = set()
    for name, template in DOCS:
        assert name not in names, name
        names.add(name)
        filled = _fill(name, template)
        planted = [(m.group(1), m.group(2)) for m in _MARK.finditer(filled)]
        doc = _parse(name, filled)
        assert len(planted) == len(doc.spans), name
        for (kind, value), (k, s, e) in zip(planted, doc.spans):
            assert k == kind and doc.text[s:e] == value, (name, kind, value)
            assert value and value == value.strip() and value[0] not in "\"'`" and value[-1] not in "\"'`", (name, value)
            if kind == "ip_address":
                ip = ipaddress.ip_address(value)
                assert ip.is_global and value not in RESOLVERS, (name, value)
            if kind == "email":
                assert value.count("@") == 1 and "." in value.split("@")[1], (name, value)
            counts[kind] += 1
        for ch in "«»⟦⟧":
            assert ch not in doc.text, (name, ch)
    # determinism
    assert [d.text for d in testset3_documents()] == [d.text for d in testset3_documents()]
    return counts


if __name__ == "__main__":
    docs = testset3_documents()
    counts = _check()
    print(f"documents: {len(docs)}  (without any planted span: {sum(not d.spans for d in docs)})")
    print(f"spans: {sum(counts.values())}")
    for kind, n in counts.items():
        print(f"  {kind:<11} {n}")
