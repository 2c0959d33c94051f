"""codewright.pii.scrub: each kind with positive and negative examples, offsets, idempotence,
unicode, huge lines."""

from __future__ import annotations

import pytest

from codewright.pii import KINDS, PLACEHOLDERS, Finding, scrub


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start:f.end]) for f in scrub(text)[1]]


def test_placeholders_are_the_tokenizer_specials():
    assert PLACEHOLDERS == {"email": "<EMAIL>", "ip_address": "<IP_ADDRESS>", "key": "<KEY>", "password": "<PASSWORD>"}
    assert set(KINDS) == set(PLACEHOLDERS)


@pytest.mark.parametrize("text, value", [
    ('AUTHOR = "jane.doe@acme-corp.com"', "jane.doe@acme-corp.com"),
    ("# Maintainer: <ops+alerts@mail.eu.acme.co.uk>", "ops+alerts@mail.eu.acme.co.uk"),
    ('contact = "用户@例子.广告"', "用户@例子.广告"),
    ('contact = "josé@bücher.de"', "josé@bücher.de"),
    ('href="mailto:sales@shop.io"', "sales@shop.io"),
])
def test_email_found(text, value):
    assert found(text) == [("email", value)]


@pytest.mark.parametrize("text", [
    "@property\ndef name(self): ...",
    "y = x@self.weight.T",
    'git clone git@github.com:acme/api.git',
    'EXAMPLE = "someone@example.com"',
    "@pytest.mark.parametrize('a', [1])",
])
def test_email_negatives(text):
    assert found(text) == []


@pytest.mark.parametrize("text, value", [
    ('UPSTREAM = "52.14.88.201"', "52.14.88.201"),
    ("ssh deploy@185.199.108.153", "185.199.108.153"),
    ('addr = "2a00:1450:4001:82b::200e"', "2a00:1450:4001:82b::200e"),
    ("listen 34.201.12.7:8080;", "34.201.12.7"),
])
def test_ip_found(text, value):
    assert found(text) == [("ip_address", value)]


@pytest.mark.parametrize("text", [
    'hosts = ["127.0.0.1", "10.0.0.5", "192.168.1.1", "172.16.0.9", "169.254.169.254", "0.0.0.0"]',
    'dns = ["8.8.8.8", "8.8.4.4", "1.1.1.1", "9.9.9.9", "2001:4860:4860::8888", "2606:4700:4700::1111"]',
    '__version__ = "4.2.1.0"',
    'VERSION = "10.2.3.4"',
    "oid = '1.3.6.1.4.1.311'",
    "every_other = items[1::2]",
    'mac = "00:1A:2B:3C:4D:5E"; at = "12:30:45"',
    "lo = '::1'; ula = 'fd00::1'; link = 'fe80::1'",
    'doc = "192.0.2.1 and 2001:db8::1 are documentation addresses"',
    "x = 999.1.1.1",
])
def test_ip_negatives(text):
    assert found(text) == []


@pytest.mark.parametrize("text, value", [
    ('AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPL3"', "AKIAIOSFODNN7EXAMPL3"),
    ("token = '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'", "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"),
    ('stripe.api_key = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"', "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
    ("export GITLAB=glpat-YM8VM1vSe244NiDQDWdR", "glpat-YM8VM1vSe244NiDQDWdR"),
    ('SECRET_KEY = "x8#kd9s!2mLq0vZr4Tn7wYb3"', "x8#kd9s!2mLq0vZr4Tn7wYb3"),
    ('SECRET_KEY = "%q3ps=6Y@L35_m3vie8z6i^y37-cS?HM"', "%q3ps=6Y@L35_m3vie8z6i^y37-cS?HM"),
    ('blob = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A9PQ5rT"',
     "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A9PQ5rT"),
])
def test_key_found(text, value):
    assert found(text) == [("key", value)]


def test_private_key_block_is_one_finding():
    body = "\n".join(["MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB"] * 6)
    text = f'KEY = """-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"""\nx = 1\n'
    out, findings = scrub(text)
    assert [f.kind for f in findings] == ["key"]
    assert out == 'KEY = """<KEY>"""\nx = 1\n'
    # A parser that names the markers is not a key.
    code = 'if line.startswith("-----BEGIN RSA PRIVATE KEY-----"):\n    end = "-----END RSA PRIVATE KEY-----"\n'
    assert found(code) == []


@pytest.mark.parametrize("text", [
    'digest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"',
    'md5 = "d41d8cd98f00b204e9800998ecf8427e"',
    'sha1sum = "a9993e364706816aba3e25717850c26c9cd0d89d"',
    'session_id = "123e4567-e89b-12d3-a456-426614174000"',
    'API_KEY = "<your-api-key>"',
    'token = "${GITHUB_TOKEN}"',
    'api_key = "YOUR_API_KEY_HERE"',
    'AWS_SECRET = "xxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
    'chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"',
    "def test_issue_12345_regression_case(): pass",
    'private_key: PKCS7PrivateKeyTypes = load()',
])
def test_key_negatives(text):
    assert found(text) == []


@pytest.mark.parametrize("text, value", [
    ('password = "hunter2!"', "hunter2!"),
    ('conn = connect(user="app", password="s3cr3t-P4ss")', "s3cr3t-P4ss"),
    ("  password: Xk9#mQ2pL", "Xk9#mQ2pL"),
    ('{"passwd": "Tr0ub4dor&3"}', "Tr0ub4dor&3"),
    ('url = "postgres://admin:S3cretPw@db.acme.io:5432/app"', "S3cretPw"),
    ('url = "mysql://root:pa$$w0rd@10.0.0.4/app"', "pa$$w0rd"),
    ('curl -u "admin:Adm1nPw" https://ci.acme.io', "Adm1nPw"),
    ("DB_PASSWORD=Qw3rty!9", "Qw3rty!9"),
])
def test_password_found(text, value):
    assert found(text) == [("password", value)]


@pytest.mark.parametrize("text", [
    "hashed = get_password_hash(password)",
    "password = None",
    "password = os.environ['DB_PASSWORD']",
    'password = getpass.getpass("Password: ")',
    'PASSWORD_FIELD = "password"',
    "PASSWORD_MIN_LENGTH = 12",
    "def verify_password(plain_password, hashed_password): pass",
    "password: str",
    'url = "https://user@example.com/path"',
    "'admin_password': 'adminPassword',",
    'password = "<PASSWORD>"',
    'password = ""',
])
def test_password_negatives(text):
    assert found(text) == []


def test_offsets_refer_to_the_input_and_output_has_placeholders():
    text = 'a = "jane@acme.io"  # ünïcödé ✓\nb = "52.14.88.201"\npassword = "hunter2!"\n'
    out, findings = scrub(text)
    assert findings == [
        Finding("email", text.index("jane"), text.index("jane") + len("jane@acme.io")),
        Finding("ip_address", text.index("52."), text.index("52.") + len("52.14.88.201")),
        Finding("password", text.index("hunter2!"), text.index("hunter2!") + len("hunter2!")),
    ]
    assert out == 'a = "<EMAIL>"  # ünïcödé ✓\nb = "<IP_ADDRESS>"\npassword = "<PASSWORD>"\n'


def test_offsets_after_astral_characters():
    text = "# 🐍🐍 naïve\nemail = 'bob@acme.io'\n"
    (f,) = scrub(text)[1]
    assert text[f.start:f.end] == "bob@acme.io"


def test_same_secret_same_placeholder_everywhere():
    text = 'PASSWORD = "Tr0ub4dor&3"\nlogin("admin", "Tr0ub4dor&3")\nprint("Tr0ub4dor&3x")\n'
    out, findings = scrub(text)
    assert out == 'PASSWORD = "<PASSWORD>"\nlogin("admin", "<PASSWORD>")\nprint("Tr0ub4dor&3x")\n'
    assert [f.kind for f in findings] == ["password", "password"]


def test_scrub_is_idempotent():
    text = (
        'EMAIL = "jane@acme.io"; HOST = "52.14.88.201"\n'
        'token = "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"\n'
        'db = "postgres://admin:S3cretPw@db.acme.io/app"\npassword = "hunter2!"\n'
    )
    once, findings = scrub(text)
    assert len(findings) == 5
    assert scrub(once) == (once, [])


def test_overlaps_resolve_to_one_finding():
    # `S3cretPw@db.acme.io` also reads as an email; the password wins, the host stays.
    out, findings = scrub('"https://admin:S3cretPw@db.acme.io/x"')
    assert out == '"https://admin:<PASSWORD>@db.acme.io/x"' and len(findings) == 1


def test_split_secret_is_out_of_scope_but_harmless():
    text = 'key = "AKIAIOSF" + "ODNN7EXAMPLE"\npw = "hun" "ter2"\n'
    out, findings = scrub(text)
    assert isinstance(out, str) and all(f.kind in KINDS for f in findings)


def test_empty_and_whitespace():
    assert scrub("") == ("", [])
    assert scrub("\n\n  \t\n") == ("\n\n  \t\n", [])


@pytest.mark.timeout(120)  # linear: seconds; a quadratic rule would take hours
def test_one_megabyte_line():
    # One line of 1 MB full of near-misses for every rule, real findings at both ends.
    chunk = 'password_hash="x" ; a@b ; 1.2.3 ; sk_test_ ; abcdefghijklmnop1234 ; key="'
    line = "jane@acme.io " + chunk * (1_000_000 // len(chunk)) + ' api_key = "AKIAIOSFODNN7EXAMPL3"'
    out, findings = scrub(line)
    assert [f.kind for f in findings] == ["email", "key"]
    assert out.startswith("<EMAIL> password_hash") and out.endswith('api_key = "<KEY>"')


def test_unpaired_surrogates_do_not_crash():
    text = "x = '\udcff' + 'jane@acme.io'"
    out, findings = scrub(text)
    assert [f.kind for f in findings] == ["email"]
