# EKS with a small managed "system" node group for Karpenter, CoreDNS and the add-on
# controllers; the apps run on the nodes Karpenter launches (modules/karpenter and the
# NodePools in deploy/). Secrets are envelope-encrypted with a KMS key the module creates;
# nodes require IMDSv2 with a hop limit of 1, so pods cannot reach the node's instance role
# through the metadata service (they get their own roles via Pod Identity).
module "eks" {
  #checkov:skip=CKV_TF_1:Terraform Registry module pinned by a version constraint (a git commit pin would bypass the registry); upgrades are deliberate edits of that constraint.
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name               = var.name
  kubernetes_version = var.kubernetes_version

  vpc_id     = var.vpc_id
  subnet_ids = var.private_subnet_ids

  # A private endpoint always; the public one only if asked (e.g. dev from a laptop), and then
  # only from the listed CIDRs.
  endpoint_private_access      = true
  endpoint_public_access       = var.endpoint_public_access
  endpoint_public_access_cidrs = var.endpoint_public_access_cidrs

  enable_cluster_creator_admin_permissions = var.enable_cluster_creator_admin_permissions

  # Envelope encryption of Kubernetes Secrets with a customer managed key.
  encryption_config = {
    resources = ["secrets"]
  }

  # Every control-plane log: API, audit, authenticator, controller manager, scheduler.
  enabled_log_types                      = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
  cloudwatch_log_group_retention_in_days = var.log_retention_days

  # IRSA stays available (OIDC provider) for tools that do not support Pod Identity yet.
  enable_irsa = true

  addons = {
    coredns = {}
    # The Pod Identity agent must run before workloads ask it for credentials.
    eks-pod-identity-agent = {
      before_compute = true
    }
    kube-proxy = {}
    # Resource metrics for the HPAs (the gateway's, and the worker's CPU fallback).
    metrics-server = {}
    vpc-cni = {
      before_compute = true
      # NetworkPolicy enforcement by the VPC CNI (the chart's policies rely on it).
      configuration_values = jsonencode({
        enableNetworkPolicy = "true"
      })
    }
  }

  # Karpenter finds the security group its nodes join by this tag (EC2NodeClass).
  node_security_group_tags = {
    "karpenter.sh/discovery" = var.name
  }

  eks_managed_node_groups = {
    system = {
      ami_type       = "AL2023_x86_64_STANDARD"
      instance_types = var.node_instance_types
      capacity_type  = var.node_capacity_type

      min_size     = var.node_min_size
      max_size     = var.node_max_size
      desired_size = var.node_desired_size

      # The apps select Karpenter's pools (pricewatch.io/pool = gateway | worker), never these.
      labels = {
        "pricewatch.io/pool" = "system"
      }

      metadata_options = {
        http_endpoint               = "enabled"
        http_tokens                 = "required"
        http_put_response_hop_limit = 1
      }

      block_device_mappings = {
        xvda = {
          device_name = "/dev/xvda"
          ebs = {
            volume_size = 50
            volume_type = "gp3"
            encrypted   = true
          }
        }
      }
    }
  }

  tags = var.tags
}
