{{/*
Names and labels follow the `helm create` scaffold; components get a suffix and an
app.kubernetes.io/component label, as in bitnami's multi-component charts.
*/}}

{{/* Expand the name of the chart. */}}
{{- define "pricewatch.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name, truncated at 63 chars (DNS label limit).
If the release name contains the chart name it is used as the full name.
*/}}
{{- define "pricewatch.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart name and version as used by the chart label. */}}
{{- define "pricewatch.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels shared by every component. */}}
{{- define "pricewatch.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pricewatch.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Common labels. */}}
{{- define "pricewatch.labels" -}}
helm.sh/chart: {{ include "pricewatch.chart" . }}
{{ include "pricewatch.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: pricewatch
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Component helpers take a dict: (dict "ctx" $ "component" "gateway").
*/}}
{{- define "pricewatch.componentFullname" -}}
{{- printf "%s-%s" (include "pricewatch.fullname" .ctx) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "pricewatch.componentLabels" -}}
{{ include "pricewatch.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "pricewatch.componentSelectorLabels" -}}
{{ include "pricewatch.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
ServiceAccount name of a component: pricewatch-<component> unless named, whatever the release
is called, because Terraform's EKS Pod Identity associations bind that exact name (a renamed
ServiceAccount would silently run without AWS credentials).
*/}}
{{- define "pricewatch.serviceAccountName" -}}
{{- $values := index .ctx.Values (.component | camelcase | untitle) -}}
{{- if $values.serviceAccount.create }}
{{- default (printf "pricewatch-%s" .component) $values.serviceAccount.name }}
{{- else }}
{{- default "default" $values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image reference: (dict "ctx" $ "image" .Values.gateway.image "component" "gateway").
registry/repository@digest when a digest is set (immutable, preferred), else
registry/repository:tag with tag defaulting to global.imageTag, then the chart appVersion (the
commit SHA CI tags the images with, in the chart CI publishes). An empty repository is
<global.imageNamespace>/pricewatch-<component>.
*/}}
{{- define "pricewatch.image" -}}
{{- $registry := default .image.registry .ctx.Values.global.imageRegistry -}}
{{- $repository := .image.repository -}}
{{- if not $repository -}}
{{- $repository = printf "%s/pricewatch-%s" (required "global.imageNamespace is required when an image.repository is empty" .ctx.Values.global.imageNamespace) (required "image.repository is required" .component) -}}
{{- end -}}
{{- $ref := "" -}}
{{- if .image.digest -}}
{{- $ref = printf "@%s" .image.digest -}}
{{- else -}}
{{- $tag := .image.tag | default .ctx.Values.global.imageTag | default .ctx.Chart.AppVersion | toString -}}
{{- if eq $tag "0.0.0-unpublished" -}}
{{- $tag = required "no image tag: set global.imageTag (the commit SHA CI pushed the images for) or a digest, or install the chart CI published (oci://ghcr.io/<owner>/charts/pricewatch), whose appVersion is that SHA" nil -}}
{{- end -}}
{{- $ref = printf ":%s" $tag -}}
{{- end -}}
{{- if $registry -}}
{{- printf "%s/%s%s" $registry $repository $ref -}}
{{- else -}}
{{- printf "%s%s" $repository $ref -}}
{{- end -}}
{{- end }}

{{/* Image pull secrets: global first, then the component's. */}}
{{- define "pricewatch.imagePullSecrets" -}}
{{- $secrets := concat (.ctx.Values.global.imagePullSecrets | default list) (.image.pullSecrets | default list) | uniq -}}
{{- if $secrets }}
imagePullSecrets:
{{- range $secrets }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end }}

{{/* Name of the ConfigMap holding the non-secret env shared by all components. */}}
{{- define "pricewatch.configMapName" -}}
{{- printf "%s-env" (include "pricewatch.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The non-secret environment every app reads (names are the apps' env contract). Rendered into
the ConfigMap and, for the pre-install migration hook (which runs before the ConfigMap
exists), inline into the Job. Optional variables are left out when empty so the apps' config
validation sees "unset" rather than "".
*/}}
{{- define "pricewatch.configEnv" -}}
{{- $c := .Values.config -}}
{{- if and $c.egressAllowHosts (not .Values.allowEgressHostsForTesting) -}}
{{- fail "config.egressAllowHosts must stay empty in production; set allowEgressHostsForTesting=true only in test clusters" -}}
{{- end -}}
NODE_ENV: {{ ternary "test" "production" .Values.allowEgressHostsForTesting | quote }}
LOG_LEVEL: {{ $c.logLevel | quote }}
DATABASE_SSL: {{ $c.databaseSsl | quote }}
AWS_REGION: {{ required "config.awsRegion is required" $c.awsRegion | quote }}
JOBS_TABLE_NAME: {{ required "config.jobsTableName is required" $c.jobsTableName | quote }}
CHECKS_QUEUE_URL: {{ required "config.checksQueueUrl is required" $c.checksQueueUrl | quote }}
{{- if $c.alertsTopicArn }}
ALERTS_TOPIC_ARN: {{ $c.alertsTopicArn | quote }}
{{- end }}
DUE_SHARDS: {{ $c.dueShards | quote }}
{{- if $c.egressAllowHosts }}
EGRESS_ALLOW_HOSTS: {{ $c.egressAllowHosts | quote }}
{{- end }}
DEFAULT_CURRENCY: {{ $c.defaultCurrency | quote }}
MIN_CHECK_INTERVAL_MINUTES: {{ $c.minCheckIntervalMinutes | quote }}
JWT_ISSUER: {{ $c.jwtIssuer | quote }}
JWT_AUDIENCE: {{ $c.jwtAudience | quote }}
JWT_TTL_SECONDS: {{ $c.jwtTtlSeconds | quote }}
TRUST_PROXY: {{ $c.trustProxy | quote }}
WORKER_CONCURRENCY: {{ .Values.scraperWorker.concurrency | quote }}
BROWSER_CONCURRENCY: {{ .Values.scraperWorker.browserConcurrency | quote }}
PUPPETEER_EXECUTABLE_PATH: {{ .Values.scraperWorker.puppeteerExecutablePath | quote }}
BROWSER_NO_SANDBOX: {{ .Values.scraperWorker.browserNoSandbox | quote }}
{{- if $c.otelExporterOtlpEndpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ $c.otelExporterOtlpEndpoint | quote }}
{{- end }}
{{- end }}

{{/*
Per-container env: the component's own PORT and OTEL_SERVICE_NAME, the secrets it needs
(values.secretEnvKeys) from the existing Secret (never from values), then its extraEnvVars.
(dict "ctx" $ "component" "gateway" "port" 3000 "values" .Values.gateway)
*/}}
{{- define "pricewatch.containerEnv" -}}
- name: PORT
  value: {{ .port | quote }}
- name: OTEL_SERVICE_NAME
  value: {{ printf "pricewatch-%s" .component | quote }}
{{- range .values.secretEnvKeys }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ required "existingSecret is required (a Secret with DATABASE_URL and JWT_SECRET)" $.ctx.Values.existingSecret }}
      key: {{ . }}
{{- end }}
{{- with .values.extraEnvVars }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Pod annotations: config checksum (so a config change rolls the pods) and metrics scrape hints. */}}
{{- define "pricewatch.podAnnotations" -}}
checksum/config: {{ include "pricewatch.configEnv" .ctx | sha256sum }}
{{- if and .ctx.Values.metrics.enabled .ctx.Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | quote }}
prometheus.io/path: "/metrics"
{{- end }}
{{- with .values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
topologySpreadConstraints: the explicit list if given, else spread across zones and nodes
(soft, so a single-zone dev cluster still schedules).
*/}}
{{- define "pricewatch.topologySpread" -}}
{{- if .values.topologySpreadConstraints }}
{{- toYaml .values.topologySpreadConstraints }}
{{- else }}
- maxSkew: 1
  topologyKey: topology.kubernetes.io/zone
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "pricewatch.componentSelectorLabels" . | nindent 6 }}
  matchLabelKeys:
    - pod-template-hash
- maxSkew: 1
  topologyKey: kubernetes.io/hostname
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "pricewatch.componentSelectorLabels" . | nindent 6 }}
  matchLabelKeys:
    - pod-template-hash
{{- end }}
{{- end }}

{{/* Pod scheduling fields shared by every workload. (dict "values" <component values>) */}}
{{- define "pricewatch.podScheduling" -}}
{{- with .values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* The /tmp emptyDir every container gets, since the root filesystem is read-only. */}}
{{- define "pricewatch.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .values.tmpSizeLimit | default "256Mi" }}
{{- end }}

{{/* minAvailable (a number or a percentage) when set, else maxUnavailable. (values.pdb) */}}
{{- define "pricewatch.pdbBudget" -}}
{{- if and (not (kindIs "string" .minAvailable)) (not (kindIs "invalid" .minAvailable)) }}
minAvailable: {{ .minAvailable }}
{{- else if .minAvailable }}
minAvailable: {{ .minAvailable }}
{{- else }}
maxUnavailable: {{ .maxUnavailable | default 1 }}
{{- end }}
{{- end }}

{{/*
The database CA bundle (databaseCaBundle): env, mount and volume for the containers that talk to
PostgreSQL. Each renders nothing when no ConfigMap is configured.
*/}}
{{- define "pricewatch.dbCaEnv" -}}
{{- with .Values.databaseCaBundle.existingConfigMap }}
- name: NODE_EXTRA_CA_CERTS
  value: {{ printf "/etc/pricewatch/db-ca/%s" $.Values.databaseCaBundle.key | quote }}
{{- end }}
{{- end }}

{{- define "pricewatch.dbCaMount" -}}
{{- with .Values.databaseCaBundle.existingConfigMap }}
- name: db-ca
  mountPath: /etc/pricewatch/db-ca
  readOnly: true
{{- end }}
{{- end }}

{{- define "pricewatch.dbCaVolume" -}}
{{- with .Values.databaseCaBundle.existingConfigMap }}
- name: db-ca
  configMap:
    name: {{ . }}
    items:
      - key: {{ $.Values.databaseCaBundle.key }}
        path: {{ $.Values.databaseCaBundle.key }}
{{- end }}
{{- end }}
