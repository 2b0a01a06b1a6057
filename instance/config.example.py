"""Example site configuration for Aktiva. Copy it to instance/config.py and edit.

Aktiva reads, in order: the safe defaults in webapp/config.py, then instance/config.py (this
file, once copied), then environment variables prefixed AKTIVA_ (AKTIVA_SECRET_KEY=...,
AKTIVA_SESSION_COOKIE_SECURE=false; values are parsed as JSON when they can be). Keep
instance/config.py out of version control: it holds secrets. It is plain Python; only
UPPER-CASE names are read.
"""

# --- Secret key -------------------------------------------------------------------------------
# Signs sessions, CSRF tokens and the links in invitation and password emails. Must be long,
# random and secret; changing it logs everyone out and invalidates links already sent.
# Generate one with:  python3 -c "import secrets; print(secrets.token_urlsafe(48))"
# Left unset, Aktiva creates one in instance/secret_key (mode 600) on first start.
# SECRET_KEY = "replace-with-a-long-random-string"

# --- Database ---------------------------------------------------------------------------------
# Development uses SQLite in instance/aktiva.sqlite. Production should use PostgreSQL
# (driver psycopg 3, installed with `pip install -e '.[postgres]'`). Create the schema with
# `aktiva db upgrade` after every update.
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://aktiva:PASSWORD@db.kommun.se:5432/aktiva"

# --- The municipality -------------------------------------------------------------------------
MUNICIPALITY_NAME = "Exempelkommun"

# Host name used in links that are built outside a web request, e.g. `aktiva org import
# --invite`. Set it to the public name of the service.
# SERVER_NAME = "aktiva.exempelkommun.se"
# PREFERRED_URL_SCHEME = "https"

# --- Email ------------------------------------------------------------------------------------
# Without MAIL_SERVER every message is written as an .eml file to instance/outbox/ (handy in
# development, useless in production). With it, mail goes through SMTP with STARTTLS.
# MAIL_SERVER = "smtp.exempelkommun.se"
# MAIL_PORT = 587
# MAIL_USE_TLS = True
# MAIL_USERNAME = "aktiva"
# MAIL_PASSWORD = "..."
MAIL_FROM = "aktiva@exempelkommun.se"

# --- Rate limits ------------------------------------------------------------------------------
# Login attempts are rate limited per client address. The default in-memory storage is
# per process: with several worker processes (gunicorn -w 4), use Redis so all share it.
# RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"
# LOGIN_RATE_LIMIT = "10 per minute;50 per hour"

# --- Cookies ----------------------------------------------------------------------------------
# Session cookies are Secure (HTTPS only), HttpOnly and SameSite=Lax by default. Keep them so
# in production and serve Aktiva over HTTPS only.
# Chromium, Chrome, Edge and Firefox accept Secure cookies from http://127.0.0.1 and
# http://localhost, so `make run` works with the defaults. If your browser does not (Safari),
# log-in appears to do nothing; for local development only, uncomment:
# SESSION_COOKIE_SECURE = False
# REMEMBER_COOKIE_SECURE = False
# PERMANENT_SESSION_LIFETIME = datetime.timedelta(hours=8)  # needs `import datetime`

# --- The yearly board report (tjänsteskrivelse) ------------------------------------------------
# Who writes the report, who decides on it, and the logo at the top (a PNG, JPEG or SVG file).
# The HTML/CSS templates of the PDF and the Word template live in reports/templates/; copy the
# folder and edit it to match the municipality's graphic profile.
# BOARD_AUTHOR = "Kommunledningsförvaltningen"
# BOARD_ORGAN = "Kommunstyrelsens arbetsutskott"
# MUNICIPALITY_LOGO = "/etc/aktiva/logo.png"
# Approved reports are archived as PDF/A with their SHA-256 (default: instance/archive). Back
# the folder up together with the database; files there are never overwritten.
# ARCHIVE_FOLDER = "/var/lib/aktiva/archive"
# How the municipality writes diarienummer and paragraphs: a regular expression each, and an
# example that the form shows when a value does not match.
# DIARIENUMMER_PATTERN = r"^[A-ZÅÄÖ]{2,6} ?\d{4}[/.]\d{1,5}$"
# DIARIENUMMER_EXAMPLE = "KS 2021/841"
# PARAGRAPH_PATTERN = r"^([A-ZÅÄÖ]{2,6} )?§ ?\d{1,4}(/\d{2})?$"
# PARAGRAPH_EXAMPLE = "§ 1/23"
