# Karpenter's AWS side, from the EKS module's karpenter submodule: the controller's IAM role
# bound by EKS Pod Identity to kube-system/karpenter, the IAM role of the nodes it launches
# (with an EKS access entry so they can join), and the SQS queue with the EventBridge rules
# that deliver spot interruption, rebalance and instance state-change events, so pods are
# moved before a spot node is taken away. The controller is installed by Flux
# (deploy/flux/infrastructure/controllers/karpenter.yaml) on the managed system node group; the
# NodePools and EC2NodeClasses are in deploy/flux/infrastructure/configs/karpenter.yaml.
module "karpenter" {
  #checkov:skip=CKV_TF_1:Terraform Registry module pinned by a version constraint (a git commit pin would bypass the registry); upgrades are deliberate edits of that constraint.
  source  = "terraform-aws-modules/eks/aws//modules/karpenter"
  version = "~> 21.0"

  cluster_name = var.cluster_name

  namespace                       = var.namespace
  service_account                 = var.service_account
  create_pod_identity_association = true

  # A fixed name, so the EC2NodeClass can name it (spec.role) without a lookup.
  node_iam_role_use_name_prefix = false
  node_iam_role_name            = "${var.cluster_name}-karpenter-node"
  node_iam_role_additional_policies = {
    # Session Manager instead of SSH for node debugging.
    AmazonSSMManagedInstanceCore = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
  }

  tags = var.tags
}
