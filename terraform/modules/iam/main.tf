# Roles the pods assume through EKS Pod Identity: the association binds a role to a
# namespace/ServiceAccount pair, so the chart needs no annotations (the ServiceAccount names
# below are the chart's defaults for release "pricewatch"). Each role gets only what its app
# does; the worker in particular cannot Scan the table or send to the queue.
locals {
  kms_use = {
    sid       = "UseAppKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }
}

module "gateway" {
  #checkov:skip=CKV_TF_1:Terraform Registry module pinned by a version constraint (a git commit pin would bypass the registry); upgrades are deliberate edits of that constraint.
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"

  name = "${var.name_prefix}-gateway"

  attach_custom_policy = true
  policy_statements = [
    {
      sid = "JobsCrud"
      actions = [
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
        "dynamodb:Query", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
        # /health/ready calls DescribeTable (libs/aws-clients health check).
        "dynamodb:DescribeTable",
      ]
      resources = [var.table_arn]
    },
    {
      sid       = "DueIndexQuery"
      actions   = ["dynamodb:Query"]
      resources = ["${var.table_arn}/index/*"]
    },
    {
      # The first check of a new job is enqueued at once, not at the next rescheduler pass.
      sid       = "EnqueueChecks"
      actions   = ["sqs:SendMessage", "sqs:GetQueueAttributes"]
      resources = [var.queue_arn]
    },
    {
      # Per-user e-mail subscriptions with a user_id filter policy, and nothing else: a
      # compromised gateway cannot subscribe an HTTP endpoint, a queue or a Lambda of its
      # choosing to every user's alerts.
      sid       = "SubscribeUsersByEmail"
      actions   = ["sns:Subscribe"]
      resources = [var.topic_arn]
      condition = [{
        test     = "StringEquals"
        variable = "sns:Protocol"
        values   = var.subscription_protocols
      }]
    },
    {
      sid       = "UnsubscribeUsers"
      actions   = ["sns:Unsubscribe"]
      resources = [var.topic_arn, "${var.topic_arn}:*"]
    },
    local.kms_use,
  ]

  associations = {
    gateway = {
      cluster_name    = var.cluster_name
      namespace       = var.namespace
      service_account = var.gateway_service_account
    }
  }

  tags = var.tags
}

module "worker" {
  #checkov:skip=CKV_TF_1:Terraform Registry module pinned by a version constraint (a git commit pin would bypass the registry); upgrades are deliberate edits of that constraint.
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"

  name = "${var.name_prefix}-scraper-worker"

  attach_custom_policy = true
  policy_statements = [
    {
      sid = "JobsReadWrite"
      actions = [
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query",
        "dynamodb:ConditionCheckItem",
        # /health/ready calls DescribeTable (libs/aws-clients health check).
        "dynamodb:DescribeTable",
      ]
      resources = [var.table_arn]
    },
    {
      sid = "ConsumeChecks"
      actions = [
        "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
      ]
      resources = [var.queue_arn]
    },
    {
      sid       = "PublishAlerts"
      actions   = ["sns:Publish"]
      resources = [var.topic_arn]
    },
    local.kms_use,
  ]

  associations = {
    worker = {
      cluster_name    = var.cluster_name
      namespace       = var.namespace
      service_account = var.worker_service_account
    }
  }

  tags = var.tags
}

# Only for clusters that run the rescheduler as the chart's CronJob instead of the Lambda.
module "rescheduler" {
  #checkov:skip=CKV_TF_1:Terraform Registry module pinned by a version constraint (a git commit pin would bypass the registry); upgrades are deliberate edits of that constraint.
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"

  create = var.create_rescheduler_role
  name   = "${var.name_prefix}-rescheduler"

  attach_custom_policy = true
  policy_statements = [
    {
      sid       = "QueryDueIndex"
      actions   = ["dynamodb:Query"]
      resources = ["${var.table_arn}/index/due-index"]
    },
    {
      sid       = "ClaimJobs"
      actions   = ["dynamodb:UpdateItem"]
      resources = [var.table_arn]
    },
    {
      sid       = "EnqueueChecks"
      actions   = ["sqs:SendMessage"]
      resources = [var.queue_arn]
    },
    local.kms_use,
  ]

  associations = {
    rescheduler = {
      cluster_name    = var.cluster_name
      namespace       = var.namespace
      service_account = var.rescheduler_service_account
    }
  }

  tags = var.tags
}

# KEDA reads the queue depth with its own identity (the chart's keda.identityOwner=keda).
module "keda_operator" {
  #checkov:skip=CKV_TF_1:Terraform Registry module pinned by a version constraint (a git commit pin would bypass the registry); upgrades are deliberate edits of that constraint.
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"

  create = var.create_keda_role
  name   = "${var.name_prefix}-keda-operator"

  attach_custom_policy = true
  policy_statements = [
    {
      # Queue attributes are metadata: reading them needs no KMS permission, even on an
      # encrypted queue.
      sid       = "ReadQueueDepth"
      actions   = ["sqs:GetQueueAttributes"]
      resources = [var.queue_arn]
    },
  ]

  associations = {
    keda = {
      cluster_name    = var.cluster_name
      namespace       = var.keda_namespace
      service_account = var.keda_service_account
    }
  }

  tags = var.tags
}
