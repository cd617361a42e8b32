terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}
# RDS and ElastiCache as Terraform users write them: a DB subnet group and a PostgreSQL instance, a cache subnet
# group and a memcached cluster, in the default VPC behind one security group. tests/e2e/test_terraform_rds.py applies
# it, expects a second plan with no changes, and destroys it.
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
resource "aws_security_group" "db" {
  name   = "tf-db"
  vpc_id = data.aws_vpc.default.id
}
resource "aws_db_subnet_group" "db" {
  name       = "tf-db"
  subnet_ids = data.aws_subnets.default.ids
  tags       = { Team = "data" }
}
resource "aws_db_instance" "db" {
  identifier             = "tf-postgres"
  engine                 = "postgres"
  instance_class         = "db.t3.micro"
  allocated_storage      = 20
  db_name                = "app"
  username               = "app"
  password               = "app-password"
  db_subnet_group_name   = aws_db_subnet_group.db.name
  vpc_security_group_ids = [aws_security_group.db.id]
  skip_final_snapshot    = true
  tags                   = { Team = "data" }
}
resource "aws_elasticache_subnet_group" "cache" {
  name       = "tf-cache"
  subnet_ids = data.aws_subnets.default.ids
}
resource "aws_elasticache_cluster" "cache" {
  cluster_id         = "tf-memcached"
  engine             = "memcached"
  node_type          = "cache.t3.micro"
  num_cache_nodes    = 2
  subnet_group_name  = aws_elasticache_subnet_group.cache.name
  security_group_ids = [aws_security_group.db.id]
}
output "db_address" { value = aws_db_instance.db.address }
output "cache_address" { value = aws_elasticache_cluster.cache.cache_nodes[0].address }
output "cache_addresses" { value = aws_elasticache_cluster.cache.cache_nodes[*].address }
