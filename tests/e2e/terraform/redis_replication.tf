terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}
# A redis replication group (cluster mode disabled, a primary and one replica) as Terraform users write it.
# tests/e2e/test_terraform_rds.py applies it, expects a second plan with no changes, and destroys it.
variable "endpoint" { type = string }
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  endpoints {
    ec2         = var.endpoint
    iam         = var.endpoint
    sts         = var.endpoint
    rds         = var.endpoint
    elasticache = var.endpoint
  }
}
data "aws_vpc" "default" { default = true }
data "aws_subnets" "default" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.default.id]
  }
}
resource "aws_elasticache_subnet_group" "cache" {
  name       = "tf-redis"
  subnet_ids = data.aws_subnets.default.ids
}
resource "aws_elasticache_replication_group" "redis" {
  replication_group_id = "tf-redis"
  description          = "carts"
  engine               = "redis"
  node_type            = "cache.t3.micro"
  num_cache_clusters   = 2
  subnet_group_name    = aws_elasticache_subnet_group.cache.name
  tags                 = { Team = "shop" }
}
output "primary" { value = aws_elasticache_replication_group.redis.primary_endpoint_address }
output "reader" { value = aws_elasticache_replication_group.redis.reader_endpoint_address }
output "members" { value = aws_elasticache_replication_group.redis.member_clusters }
