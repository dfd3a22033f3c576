# IAM roles of the cluster add-ons that call AWS, bound by EKS Pod Identity to the
# ServiceAccounts their charts create (deploy/flux/infrastructure/controllers), so no chart
# needs a role annotation. Each uses the policy the eks-pod-identity module maintains for it,
# narrowed to this environment's resources.

# The AWS Load Balancer Controller: provisions the ALB, its listeners and target groups from
# the Gateway API objects (and Ingresses), and registers pod IPs as targets.
module "aws_load_balancer_controller" {
  #checkov:skip=CKV_TF_1:Terraform Registry module pinned by a version constraint (a git commit pin would bypass the registry); upgrades are deliberate edits of that constraint.
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"

  name = "${var.name_prefix}-aws-lbc"

  attach_aws_lb_controller_policy = true

  associations = {
    controller = {
      cluster_name    = var.cluster_name
      namespace       = "kube-system"
      service_account = "aws-load-balancer-controller"
    }
  }

  tags = var.tags
}

# ExternalDNS: the A/AAAA alias of the HTTPRoute's hostname to the ALB, in this zone only.
module "external_dns" {
  #checkov:skip=CKV_TF_1:Terraform Registry module pinned by a version constraint (a git commit pin would bypass the registry); upgrades are deliberate edits of that constraint.
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"

  create = length(var.hosted_zone_arns) > 0
  name   = "${var.name_prefix}-external-dns"

  attach_external_dns_policy    = true
  external_dns_hosted_zone_arns = var.hosted_zone_arns

  associations = {
    controller = {
      cluster_name    = var.cluster_name
      namespace       = "external-dns"
      service_account = "external-dns"
    }
  }

  tags = var.tags
}

# External Secrets Operator: reads (never writes) the listed secrets, so the cluster's copies
# follow RDS's rotation of the master password and our own rotations.
module "external_secrets" {
  #checkov:skip=CKV_TF_1:Terraform Registry module pinned by a version constraint (a git commit pin would bypass the registry); upgrades are deliberate edits of that constraint.
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"

  name = "${var.name_prefix}-external-secrets"

  attach_external_secrets_policy        = true
  external_secrets_secrets_manager_arns = var.secret_arns
  external_secrets_kms_key_arns         = var.kms_key_arns

  associations = {
    controller = {
      cluster_name    = var.cluster_name
      namespace       = "external-secrets"
      service_account = "external-secrets"
    }
  }

  tags = var.tags
}

# The CloudWatch exporter (YACE): reads the SQS and SNS metrics (queue age, DLQ depth, failed
# alert deliveries) into Prometheus for the chart's PrometheusRule. The CloudWatch and tagging
# read APIs cannot be scoped to resources; they are read-only.
module "cloudwatch_exporter" {
  #checkov:skip=CKV_TF_1:Terraform Registry module pinned by a version constraint (a git commit pin would bypass the registry); upgrades are deliberate edits of that constraint.
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"

  name = "${var.name_prefix}-cloudwatch-exporter"

  attach_custom_policy = true
  policy_statements = [
    {
      sid       = "ReadMetrics"
      actions   = ["cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics", "tag:GetResources"]
      resources = ["*"]
    },
  ]

  associations = {
    controller = {
      cluster_name    = var.cluster_name
      namespace       = "monitoring"
      service_account = "cloudwatch-exporter"
    }
  }

  tags = var.tags
}
