#!/usr/bin/env bash
# Offline checks for the Helm chart (helm/pricewatch), the Flux manifests (deploy/flux) and the
# Terraform (terraform/).
#
#   tools/ci/infra-checks.sh                 install what is missing (cached), then run every check
#   tools/ci/infra-checks.sh --install-only  only install/refresh the cached tools
#
# Tools are cached under .cache/tools (gitignored) and keyed by version, so a second run only
# checks. Only package registries are reachable here: helm, kubeconform and tflint are built
# with `go install` through the Go module proxy, checkov/PyYAML/kubernetes-validate (which
# ships the Kubernetes JSON schemas kubeconform needs offline) come from PyPI, and the CRD
# schemas (Gateway API, KEDA, Prometheus Operator, Karpenter, External Secrets, Flux) are
# converted from the CRD YAML that their Go modules ship. Prints PASS/FAIL/SKIP per check; exits non-zero if any check failed.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${INFRA_TOOLS_CACHE:-$ROOT/.cache/tools}"
OUT="${INFRA_CHECKS_OUT:-$ROOT/.cache/infra-checks}"
CHART="$ROOT/helm/pricewatch"
TF_DIR="$ROOT/terraform"
DEPLOY_DIR="$ROOT/deploy"
CI_DIR="$ROOT/tools/ci"

# Pinned tool versions. Bumping one rebuilds only that tool.
HELM_MODULE="helm.sh/helm/v3"       HELM_VERSION="v3.22.0"
HELM_K8S_MINOR="37" # the k8s.io/* v0.37 modules helm v3.22 is built with (its Makefile derives this)
KUBECONFORM_MODULE="github.com/yannh/kubeconform" KUBECONFORM_VERSION="v0.8.0"
TFLINT_MODULE="github.com/terraform-linters/tflint" TFLINT_VERSION="v0.64.0"
# (gateway-api v1.7.0 declares go >= 1.27, newer than the go 1.26 here, so `go mod download`
# refuses it; v1.6.3 is the newest release it accepts.)
GATEWAY_API_MODULE="sigs.k8s.io/gateway-api" GATEWAY_API_VERSION="v1.6.3"
KEDA_MODULE="github.com/kedacore/keda/v2" KEDA_VERSION="v2.21.0"
PROM_OPERATOR_MODULE="github.com/prometheus-operator/prometheus-operator" PROM_OPERATOR_VERSION="v0.85.0"
# CRDs of deploy/flux. karpenter-provider-aws ships both NodePool and EC2NodeClass (v1.8.6: the
# newest the proxy serves that go 1.26 accepts). Flux's controllers: the versions flux2 v2.9.5
# requires (the image controllers' modules are not served by the proxy: see docs/DEPLOY.md §9).
KARPENTER_MODULE="github.com/aws/karpenter-provider-aws" KARPENTER_VERSION="v1.8.6"
ESO_MODULE="github.com/external-secrets/external-secrets" ESO_VERSION="v1.3.2"
FLUX_SOURCE_MODULE="github.com/fluxcd/source-controller" FLUX_SOURCE_VERSION="v1.9.5"
FLUX_HELM_MODULE="github.com/fluxcd/helm-controller" FLUX_HELM_VERSION="v1.6.4"
FLUX_KUSTOMIZE_MODULE="github.com/fluxcd/kustomize-controller" FLUX_KUSTOMIZE_VERSION="v1.9.5"
# Kinds in deploy/flux with no schema from a reachable source; kubeconform skips them by name.
DEPLOY_UNVALIDATED_KINDS="ImageRepository,ImagePolicy,ImageUpdateAutomation,LoadBalancerConfiguration"
# The Kubernetes minor the chart is validated against; keep in step with the EKS version in
# terraform/envs/*/variables.tf (kubernetes_version).
K8S_VERSION="${K8S_VERSION:-1.34.0}"

# Time bounds so a hung download or tool cannot hold CI: per install step and per check.
INSTALL_TIMEOUT="${INSTALL_TIMEOUT:-900}"
CHECK_TIMEOUT="${CHECK_TIMEOUT:-300}"

BIN="$CACHE/bin"
VENV="$CACHE/venv"
SCHEMAS="$CACHE/schemas"
export GOBIN="$BIN"
export GOMODCACHE="$CACHE/gomod"
export GOCACHE="$CACHE/gobuild"
export GOFLAGS="-mod=mod -buildvcs=false"
export GOPATH="$CACHE/gopath"
export PATH="$BIN:$VENV/bin:$PATH"
# checkov runs with --skip-download: no calls to the Prisma Cloud platform.
export HELM_CACHE_HOME="$CACHE/helm/cache" HELM_CONFIG_HOME="$CACHE/helm/config" HELM_DATA_HOME="$CACHE/helm/data"

log() { printf '%s\n' "$*" >&2; }
die() { log "infra-checks: $*"; exit 2; }

# ---------------------------------------------------------------------------------- install
install_go_tool() { # name package version [ldflags]
  local name="$1" pkg="$2" version="$3" ldflags="${4:-}" stamp="$BIN/.$1.version"
  local key="$version $ldflags"
  if [[ -x "$BIN/$name" && -f "$stamp" && "$(cat "$stamp")" == "$key" ]]; then return 0; fi
  log "installing $name $version (go install $pkg@$version) ..."
  timeout "$INSTALL_TIMEOUT" go install -ldflags="-s -w $ldflags" "$pkg@$version"
  echo "$key" >"$stamp"
  GO_BUILT=1
}

# After a build, drop the Go build cache and the extracted module sources (about 2.5 GB), so
# the cache CI stores stays small; the downloaded module zips stay, so a version bump rebuilds
# without downloading everything again.
prune_go_caches() {
  log "pruning the Go build cache and extracted module sources ..."
  go clean -cache
  find "$GOMODCACHE" -mindepth 1 -maxdepth 1 ! -name cache -exec chmod -R u+w {} + -exec rm -rf {} +
}

go_module_dir() { # module version -> prints the extracted module dir (read-only)
  timeout "$INSTALL_TIMEOUT" go mod download -json "$1@$2" |
    "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["Dir"])'
}

install_venv() {
  local stamp="$VENV/.requirements.sha256" want
  want="$(sha256sum "$CI_DIR/requirements-infra.txt" | cut -d' ' -f1)"
  if [[ -x "$VENV/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return 0; fi
  log "installing python tools into $VENV ..."
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  timeout "$INSTALL_TIMEOUT" "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    -r "$CI_DIR/requirements-infra.txt"
  echo "$want" >"$stamp"
}

install_crd_schemas() {
  local key
  key="$GATEWAY_API_VERSION-$KEDA_VERSION-$PROM_OPERATOR_VERSION-$KARPENTER_VERSION-$ESO_VERSION"
  key="$key-$FLUX_SOURCE_VERSION-$FLUX_HELM_VERSION-$FLUX_KUSTOMIZE_VERSION-$(sha256sum "$CI_DIR/crd_to_jsonschema.py" | cut -c1-12)"
  local stamp="$SCHEMAS/crd/.version"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$key" ]]; then return 0; fi
  log "converting CRD schemas (gateway-api $GATEWAY_API_VERSION, keda $KEDA_VERSION, prometheus-operator $PROM_OPERATOR_VERSION," \
    "karpenter-provider-aws $KARPENTER_VERSION, external-secrets $ESO_VERSION, flux source $FLUX_SOURCE_VERSION," \
    "helm $FLUX_HELM_VERSION, kustomize $FLUX_KUSTOMIZE_VERSION) ..."
  local gw keda prom karpenter eso fsource fhelm fkustomize
  gw="$(go_module_dir "$GATEWAY_API_MODULE" "$GATEWAY_API_VERSION")"
  keda="$(go_module_dir "$KEDA_MODULE" "$KEDA_VERSION")"
  prom="$(go_module_dir "$PROM_OPERATOR_MODULE" "$PROM_OPERATOR_VERSION")"
  karpenter="$(go_module_dir "$KARPENTER_MODULE" "$KARPENTER_VERSION")"
  eso="$(go_module_dir "$ESO_MODULE" "$ESO_VERSION")"
  fsource="$(go_module_dir "$FLUX_SOURCE_MODULE" "$FLUX_SOURCE_VERSION")"
  fhelm="$(go_module_dir "$FLUX_HELM_MODULE" "$FLUX_HELM_VERSION")"
  fkustomize="$(go_module_dir "$FLUX_KUSTOMIZE_MODULE" "$FLUX_KUSTOMIZE_VERSION")"
  rm -rf "$SCHEMAS/crd" && mkdir -p "$SCHEMAS/crd"
  "$VENV/bin/python" "$CI_DIR/crd_to_jsonschema.py" "$SCHEMAS/crd" \
    "$gw/config/crd/standard/gateway.networking.k8s.io_httproutes.yaml" \
    "$gw/config/crd/standard/gateway.networking.k8s.io_gateways.yaml" \
    "$gw/config/crd/standard/gateway.networking.k8s.io_gatewayclasses.yaml" \
    "$keda/config/crd/bases/keda.sh_scaledobjects.yaml" \
    "$keda/config/crd/bases/keda.sh_triggerauthentications.yaml" \
    "$prom/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" \
    "$prom/example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml" \
    "$karpenter/pkg/apis/crds/karpenter.sh_nodepools.yaml" \
    "$karpenter/pkg/apis/crds/karpenter.k8s.aws_ec2nodeclasses.yaml" \
    "$eso/config/crds/bases/external-secrets.io_externalsecrets.yaml" \
    "$eso/config/crds/bases/external-secrets.io_clustersecretstores.yaml" \
    "$fsource/config/crd/bases/source.toolkit.fluxcd.io_ocirepositories.yaml" \
    "$fsource/config/crd/bases/source.toolkit.fluxcd.io_helmrepositories.yaml" \
    "$fsource/config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml" \
    "$fhelm/config/crd/bases/helm.toolkit.fluxcd.io_helmreleases.yaml" \
    "$fkustomize/config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml"
  echo "$key" >"$stamp"
}

# kubernetes-validate's schemas carry "$id": "https://kubernetes.io/api/..." and refer to
# "/api/_definitions.json", which kubeconform would resolve to (and try to fetch from)
# kubernetes.io; copy them without $id and with refs relative to the schema file.
install_k8s_schemas() {
  K8S_SCHEMAS="$SCHEMAS/k8s"
  local stamp="$K8S_SCHEMAS/.version" key
  key="$(sha256sum "$CI_DIR/requirements-infra.txt" "$0" | sha256sum | cut -c1-12)-$K8S_VERSION"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$key" ]]; then return 0; fi
  log "preparing Kubernetes v$K8S_VERSION JSON schemas for kubeconform ..."
  rm -rf "$K8S_SCHEMAS" && mkdir -p "$K8S_SCHEMAS"
  "$VENV/bin/python" - "$K8S_SCHEMAS" "$K8S_VERSION" <<'PY'
import json, os, sys, kubernetes_validate
out, version = sys.argv[1], sys.argv[2]
src_root = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema")
for flavour in ("local", "local-strict"):
    src = os.path.join(src_root, f"v{version}-{flavour}")
    if not os.path.isdir(src):
        sys.exit(f"kubernetes-validate has no schemas for v{version} ({src})")
    dst = os.path.join(out, f"v{version}-{flavour}")
    os.makedirs(dst)
    for name in os.listdir(src):
        with open(os.path.join(src, name), encoding="utf-8") as f:
            schema = json.loads(f.read().replace('"/api/_definitions.json#', '"_definitions.json#'))
        schema.pop("$id", None)  # else refs resolve against https://kubernetes.io/api/
        with open(os.path.join(dst, name), "w", encoding="utf-8") as f:
            json.dump(schema, f)
PY
  echo "$key" >"$stamp"
}

GO_BUILT=0
install_all() {
  command -v go >/dev/null || die "go is required (it builds helm, kubeconform and tflint)"
  command -v python3 >/dev/null || die "python3 is required (checkov and the posture tests)"
  mkdir -p "$BIN" "$SCHEMAS" "$OUT"
  local t0=$SECONDS
  install_venv
  # The ldflags are the ones helm's Makefile sets: without them `go install` yields a helm that
  # reports no version and assumes Kubernetes v1.20 for lint and template capabilities.
  install_go_tool helm "$HELM_MODULE/cmd/helm" "$HELM_VERSION" \
    "-X $HELM_MODULE/internal/version.version=$HELM_VERSION -X $HELM_MODULE/internal/version.gitTreeState=clean \
     -X $HELM_MODULE/pkg/lint/rules.k8sVersionMajor=1 -X $HELM_MODULE/pkg/lint/rules.k8sVersionMinor=$HELM_K8S_MINOR \
     -X $HELM_MODULE/pkg/chartutil.k8sVersionMajor=1 -X $HELM_MODULE/pkg/chartutil.k8sVersionMinor=$HELM_K8S_MINOR"
  install_go_tool kubeconform "$KUBECONFORM_MODULE/cmd/kubeconform" "$KUBECONFORM_VERSION"
  install_go_tool tflint "$TFLINT_MODULE" "$TFLINT_VERSION"
  install_crd_schemas
  install_k8s_schemas
  [[ $GO_BUILT -eq 0 ]] || prune_go_caches
  log "tools ready in $((SECONDS - t0))s (cache: $CACHE)"
}

# ----------------------------------------------------------------------------------- checks
declare -a RESULTS=()
FAILED=0
mkdir -p "$OUT/logs"

# check NAME COMMAND... : runs COMMAND bounded by CHECK_TIMEOUT, output to a log shown on failure.
check() {
  local name="$1"; shift
  local logf="$OUT/logs/${name//[^A-Za-z0-9_.-]/_}.log" t0=$SECONDS rc=0
  if declare -F "$1" >/dev/null; then
    # A shell function: `timeout` needs a process, so run it in a child bash (see export -f).
    timeout "$CHECK_TIMEOUT" bash -c '"$@"' check "$@" >"$logf" 2>&1 || rc=$?
  else
    timeout "$CHECK_TIMEOUT" "$@" >"$logf" 2>&1 || rc=$?
  fi
  if [[ $rc -eq 0 ]]; then
    RESULTS+=("PASS  $name ($((SECONDS - t0))s)")
    log "PASS  $name ($((SECONDS - t0))s)"
  else
    FAILED=1
    RESULTS+=("FAIL  $name (exit $rc, log: ${logf#"$ROOT"/})")
    log "FAIL  $name (exit $rc) -- last lines of ${logf#"$ROOT"/}:"
    tail -n 40 "$logf" | sed 's/^/      /' >&2
  fi
}
skip() { RESULTS+=("SKIP  $1 -- $2"); log "SKIP  $1 -- $2"; }

# expect_lint_failure VALUES PATTERN : helm lint must fail on VALUES, for the reason PATTERN
# (so a negative test cannot pass because of an unrelated error).
expect_lint_failure() {
  local output rc=0
  output="$(helm lint --strict "$CHART" -f "$1" 2>&1)" || rc=$?
  printf '%s\n' "$output"
  if [[ $rc -eq 0 ]]; then echo "expected helm lint to fail on $1, but it passed"; return 1; fi
  if ! grep -qE -- "$2" <<<"$output"; then echo "helm lint failed, but not with: $2"; return 1; fi
  echo "failed as expected ($2)"
}

# The posture tests must fail on a rendering whose worker egress reaches the metadata service.
expect_posture_failure() {
  local broken="$OUT/broken-worker-egress.yaml"
  require_renderings "$OUT/render/minimal.yaml" || return 1
  sed '/- 169.254.169.254\/32/d' "$OUT/render/minimal.yaml" >"$broken"
  if cmp -s "$OUT/render/minimal.yaml" "$broken"; then
    echo "the rendering has no 169.254.169.254/32 exclusion to remove"; return 1
  fi
  if "$VENV/bin/python" "$CI_DIR/chart_posture_test.py" "$broken"; then
    echo "posture tests passed a worker NetworkPolicy without 169.254.169.254/32"; return 1
  fi
  echo "failed as expected"
}

# expect_template_failure VALUES PATTERN : `helm template` (not lint: lint mode lets `required`
# pass) must refuse VALUES for the reason PATTERN.
expect_template_failure() {
  local output rc=0
  output="$(helm template pricewatch "$CHART" --namespace pricewatch --kube-version "$K8S_VERSION" -f "$1" 2>&1)" || rc=$?
  if [[ $rc -eq 0 ]]; then echo "expected helm template to fail on $1, but it rendered"; return 1; fi
  printf '%s\n' "$output" | tail -n 5
  if ! grep -qE -- "$2" <<<"$output"; then echo "helm template failed, but not with: $2"; return 1; fi
  echo "failed as expected ($2)"
}

# A release not called "pricewatch" keeps the ServiceAccount names the Pod Identity
# associations bind (the posture tests assert the names).
release_name_check() {
  local rendered="$OUT/release-name/production-eks-keda-release-shop.yaml"
  mkdir -p "$OUT/release-name"
  helm template shop "$CHART" --namespace pricewatch --kube-version "$K8S_VERSION" \
    -f "$CHART/ci/production-eks-keda-values.yaml" >"$rendered"
  "$VENV/bin/python" "$CI_DIR/chart_posture_test.py" "$rendered"
}

helm_lint() { helm lint --strict "$CHART" -f "$1"; }
helm_render() { helm template pricewatch "$CHART" --namespace pricewatch --kube-version "$K8S_VERSION" -f "$1" >"$2"; }
# Checks downstream of `helm template` must not pass on an empty rendering.
require_renderings() {
  local f
  for f in "$@"; do
    [[ -s "$f" ]] || { echo "rendering missing or empty: $f (see the helm template check)"; return 1; }
  done
}

kubeconform_check() {
  require_renderings "$@" || return 1
  kubeconform -strict -summary -output text -kubernetes-version "$K8S_VERSION" \
    -schema-location "$K8S_SCHEMAS/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$SCHEMAS/crd/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
    "$@"
}

# deploy/flux: Flux's ${var} substitution with sample values (and every variable must be one
# Terraform's cluster_settings output defines), then kubeconform with the CRD schemas.
deploy_render() {
  rm -rf "$OUT/deploy" && mkdir -p "$OUT/deploy"
  "$VENV/bin/python" "$CI_DIR/flux_render.py" "$DEPLOY_DIR/flux" "$TF_DIR/modules/platform/outputs.tf" "$OUT/deploy"
}

deploy_kubeconform() {
  local files=("$OUT"/deploy/*.yaml)
  [[ -s "${files[0]}" ]] || { echo "no rendered deploy/ manifests (see the previous check)"; return 1; }
  echo "not validated (no schema from a reachable source): $DEPLOY_UNVALIDATED_KINDS"
  kubeconform -strict -summary -output text -kubernetes-version "$K8S_VERSION" \
    -skip "$DEPLOY_UNVALIDATED_KINDS" \
    -schema-location "$K8S_SCHEMAS/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$SCHEMAS/crd/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
    "${files[@]}"
}

checkov_k8s() {
  require_renderings "$@" || return 1
  "$VENV/bin/checkov" --skip-download --config-file "$CI_DIR/checkov-k8s.yaml" -d "$OUT/render"
}

export -f require_renderings helm_lint helm_render kubeconform_check expect_lint_failure \
  expect_posture_failure checkov_k8s expect_template_failure release_name_check deploy_render \
  deploy_kubeconform

run_helm_checks() {
  local values name rendered=()
  rm -rf "$OUT/render" && mkdir -p "$OUT/render"
  check "values.yaml documented key by key and declared in the schema" \
    "$VENV/bin/python" "$CI_DIR/values_doc_check.py" "$CHART"
  check "chart README parameter table generated from the @param comments" \
    "$VENV/bin/python" "$CI_DIR/chart_readme.py" "$CHART" --check
  check "helm lint --strict (default values)" helm lint --strict "$CHART"
  for values in "$CHART"/ci/*-values.yaml; do
    name="$(basename "$values" -values.yaml)"
    check "helm lint --strict ci/$name" helm_lint "$values"
    check "helm template ci/$name" helm_render "$values" "$OUT/render/$name.yaml"
    rendered+=("$OUT/render/$name.yaml")
  done
  check "kubeconform -strict (k8s v$K8S_VERSION + CRDs)" kubeconform_check "${rendered[@]}"
  check "posture tests on rendered chart" "$VENV/bin/python" "$CI_DIR/chart_posture_test.py" "${rendered[@]}"
  # The schema must stop mistakes before they reach a cluster.
  check "schema rejects an unknown key" expect_lint_failure \
    "$CI_DIR/fixtures/bad-values-unknown-key.yaml" "additional properties 'replicaCont' not allowed"
  check "schema rejects EGRESS_ALLOW_HOSTS without allowEgressHostsForTesting" expect_lint_failure \
    "$CI_DIR/fixtures/bad-values-egress-hosts.yaml" "/config/egressAllowHosts': maxLength"
  check "schema rejects a secret value in values" expect_lint_failure \
    "$CI_DIR/fixtures/bad-values-secret-in-env.yaml" "/gateway/extraEnvVars/0"
  check "posture tests catch a worker policy without the metadata exclusion" expect_posture_failure
  check "an HTTPRoute without hostnames is refused" expect_template_failure \
    "$CI_DIR/fixtures/bad-values-route-no-hostnames.yaml" "gateway.httpRoute.hostnames is required"
  check "a catch-all PathPrefix / route is refused" expect_template_failure \
    "$CI_DIR/fixtures/bad-values-route-catch-all.yaml" "PathPrefix / would publish /metrics"
  check "ServiceAccount names survive another release name" release_name_check
  check "a render without an image tag stops with a clear message" expect_template_failure \
    "$CI_DIR/fixtures/bad-values-no-image-tag.yaml" "no image tag: set global.imageTag"
  check "checkov (kubernetes, rendered chart)" checkov_k8s "${rendered[@]}"
}

run_deploy_checks() {
  check "deploy/flux: substitution variables defined by Terraform, valid YAML" deploy_render
  check "kubeconform -strict deploy/flux (Karpenter, Gateway, External Secrets, Flux CRDs)" deploy_kubeconform
}

run_terraform_checks() {
  if command -v terraform >/dev/null; then
    check "terraform fmt -check -recursive" terraform fmt -check -recursive -diff "$TF_DIR"
  else
    skip "terraform fmt" "no terraform binary on this machine (it is not in any reachable package registry)"
  fi
  skip "terraform init/validate" "needs the Terraform registry (providers and community modules), unreachable offline"
  check "tflint --recursive (built-in terraform ruleset only)" \
    tflint --chdir="$TF_DIR" --recursive --config="$TF_DIR/.tflint.hcl" --format=compact
  check "checkov (terraform)" "$VENV/bin/checkov" --skip-download --config-file "$CI_DIR/checkov-terraform.yaml" -d "$TF_DIR"
}

main() {
  local t0=$SECONDS
  install_all
  export CHART OUT VENV CI_DIR K8S_VERSION SCHEMAS K8S_SCHEMAS DEPLOY_DIR TF_DIR DEPLOY_UNVALIDATED_KINDS
  [[ "${1:-}" == "--install-only" ]] && exit 0
  run_helm_checks
  run_deploy_checks
  run_terraform_checks
  log ""
  log "infra-checks summary ($((SECONDS - t0))s):"
  printf '  %s\n' "${RESULTS[@]}" >&2
  local passed failed skipped
  passed=$(printf '%s\n' "${RESULTS[@]}" | grep -c '^PASS' || true)
  failed=$(printf '%s\n' "${RESULTS[@]}" | grep -c '^FAIL' || true)
  skipped=$(printf '%s\n' "${RESULTS[@]}" | grep -c '^SKIP' || true)
  # The plain closing line CI runners read.
  echo "infra-checks: $passed passed, $failed failed, $skipped skipped"
  if [[ $FAILED -ne 0 ]]; then log "infra-checks: FAIL"; exit 1; fi
  log "infra-checks: PASS"
}

main "$@"
