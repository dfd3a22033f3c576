terraform {
  # 1.10+ for the S3 backend's native lock file (use_lockfile): no DynamoDB lock table; 1.11
  # for write-only attributes and ephemeral values (generated secrets stay out of the state);
  # 1.11.1 is the least the rds module's 7.x line accepts.
  required_version = ">= 1.11.1, < 2.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 6.x: the current major, needed for the nodejs24.x Lambda runtime and the community
      # modules' current majors (vpc 6, eks 21, rds 7, dynamodb-table 5, sqs 5, sns 7,
      # lambda 8, eks-pod-identity 2), which all require it.
      version = "~> 6.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7"
    }
  }

  # Partial configuration: bucket and region come from backend.hcl at init
  # (`terraform init -backend-config=backend.hcl`), so the bootstrap bucket name is not
  # hard-coded here. See docs/DEPLOY.md.
  backend "s3" {
    key          = "pricewatch/prod/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = "pricewatch"
      Environment = local.environment
      ManagedBy   = "terraform"
      Repository  = "pricewatch"
    }
  }
}
