# The application image: web (daphne), Celery worker and beat all run from it (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH

RUN pip install --no-cache-dir uv==0.13.9

WORKDIR /app

# Dependencies first, from the lock file only, so code changes do not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --python /usr/local/bin/python3.11

COPY . .

# Translations are committed compiled (.mo). Static files are collected with the production
# storage (hashed names + manifest); the secret, Fernet and digest keys here exist only for this
# build step, real ones come from the environment at run time.
RUN DJANGO_ENV=production \
    DJANGO_SECRET_KEY=build-only-collectstatic-key-never-used-at-runtime-0123456789 \
    FIELD_ENCRYPTION_KEYS=YnVpbGQtb25seS1jb2xsZWN0c3RhdGljLWtleS0wMDA= \
    FIELD_DIGEST_KEY=build-only-collectstatic-digest-key-0123456789 \
    python manage.py collectstatic --noinput

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app/var/media \
    && chown -R app:app /app/var
USER app

EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "marketplace.asgi:application"]
