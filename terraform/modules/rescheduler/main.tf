# The rescheduler Lambda: every minute, Query each due-index shard for nextCheckAt <= now,
# claim the jobs with conditional updates and enqueue their ids. The zip is built by CI
# (dist/rescheduler-lambda.zip, handler lambda.handler); Terraform only uploads it.
resource "aws_cloudwatch_event_rule" "every_minute" {
  name                = "${var.name}-every-minute"
  description         = "Runs the pricewatch rescheduler"
  schedule_expression = var.schedule_expression
  state               = var.enabled ? "ENABLED" : "DISABLED"
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "lambda" {
  rule = aws_cloudwatch_event_rule.every_minute.name
  arn  = module.lambda.lambda_function_arn

  retry_policy {
    # A missed minute is caught up by the next run; retrying late passes only adds load.
    maximum_retry_attempts       = 0
    maximum_event_age_in_seconds = 60
  }
}

module "lambda" {
  #checkov:skip=CKV_TF_1:Terraform Registry module pinned by a version constraint (a git commit pin would bypass the registry); upgrades are deliberate edits of that constraint.
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 8.0"

  function_name = var.name
  description   = "pricewatch rescheduler: enqueue due price checks"
  handler       = "lambda.handler"
  runtime       = var.runtime
  architectures = [var.architecture]
  memory_size   = var.memory_size
  # Shorter than the schedule period, so passes do not pile up.
  timeout = 50

  create_package         = false
  local_existing_package = var.zip_path

  # One pass at a time: a second concurrent pass would only race for the same claims.
  reserved_concurrent_executions = var.reserved_concurrency

  environment_variables = {
    NODE_ENV          = "production"
    LOG_LEVEL         = var.log_level
    JOBS_TABLE_NAME   = var.table_name
    CHECKS_QUEUE_URL  = var.queue_url
    DUE_SHARDS        = tostring(var.due_shards)
    OTEL_SERVICE_NAME = "pricewatch-rescheduler"
    # AWS_REGION is set by the Lambda runtime itself (a reserved variable).
  }
  kms_key_arn = var.kms_key_arn

  tracing_mode          = "Active"
  attach_tracing_policy = true

  cloudwatch_logs_retention_in_days = var.log_retention_days
  cloudwatch_logs_kms_key_id        = var.logs_kms_key_arn

  # Least privilege: query only the due-index, update only items of the table, send only to
  # the checks queue, and use the key that encrypts both.
  attach_policy_statements = true
  policy_statements = {
    query_due_index = {
      effect    = "Allow"
      actions   = ["dynamodb:Query"]
      resources = [var.due_index_arn]
    }
    claim_jobs = {
      effect    = "Allow"
      actions   = ["dynamodb:UpdateItem"]
      resources = [var.table_arn]
    }
    enqueue_checks = {
      effect    = "Allow"
      actions   = ["sqs:SendMessage"]
      resources = [var.queue_arn]
    }
    use_key = {
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
      resources = [var.kms_key_arn]
    }
  }

  # EventBridge invokes the function asynchronously: no Lambda-side retries (a failed pass is
  # caught up by the next minute's, and a retried late pass would only race it) and no event
  # older than a minute.
  create_async_event_config    = true
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = 60

  allowed_triggers = {
    every_minute = {
      principal  = "events.amazonaws.com"
      source_arn = aws_cloudwatch_event_rule.every_minute.arn
    }
  }
  create_current_version_allowed_triggers = false

  tags = var.tags
}
