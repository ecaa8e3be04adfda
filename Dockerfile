# CTR Portal production image: one image for web, worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static ./static
RUN mkdir -p build/static/css && npm run --silent build:css

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=ctr_portal.settings_production
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core fonts-liberation \
       libreoffice-writer-nogui libreoffice-calc-nogui \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --uid 1000 ctr
WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
RUN pip install --no-cache-dir -c requirements.lock .
COPY . .
COPY --from=assets /app/node_modules/nhsuk-frontend/dist/nhsuk /app/node_modules/nhsuk-frontend/dist/nhsuk
COPY --from=assets /app/build/static /app/build/static
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media && chown -R ctr /app/var
USER ctr
EXPOSE 8000
CMD ["gunicorn", "ctr_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--forwarded-allow-ips", "*", "--access-logfile", "-"]
