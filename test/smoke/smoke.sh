#!/usr/bin/env bash
# Smoke test: drive a real talus server with Debian's S3 clients (awscli,
# rclone, s3cmd). Each client creates a bucket, uploads a 20 MiB random file
# (as a multipart upload for rclone and s3cmd, whose part sizes are set to 5 MiB),
# lists it, downloads and compares it, then deletes the object and the bucket.
# 'awsglacier' uploads a GLACIER object, restores it and reads it back.
# 'aws kms' then manages keys and aliases and round-trips encrypt/decrypt, and
# 'talus admin kms create-key --key-id' makes a key the CLI then uses.
# 'aws iam' / 'aws sts' make a user, group, managed policy and role, assume
# the role and list a bucket with the temporary credentials.
# 'talus admin account create' makes a second account, which writes into
# the first one's bucket under its bucket policy.
#
# Needs: go (unless $TALUS_BIN is set), curl, awscli, rclone, s3cmd.
# Usage: test/smoke/smoke.sh            (builds ./cmd/talus)
#        TALUS_BIN=/path/talus test/smoke/smoke.sh
# Env:   AWS_BIN (default /usr/bin/aws if present, else aws on PATH);
#        SMOKE_KEEP=1 keeps the work dir (client and server logs);
#        SMOKE_CLIENTS="awskms s3cmd" runs only those sections.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/talus-smoke.XXXXXX")
server_pid=""

cleanup() {
	if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [[ -n ${SMOKE_KEEP:-} ]]; then
		echo "kept $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

ak=AKIATALUSSMOKE000001
sk=talus-smoke-secret-key-0123456789abcdef
region=us-east-1
size=$((20 << 20))
key=dir/file.bin

if [[ -n ${TALUS_BIN:-} ]]; then
	bin=$TALUS_BIN
else
	(cd "$repo" && go build -o "$work/talus" ./cmd/talus)
	bin=$work/talus
fi

# The clients talk plain HTTP to 127.0.0.1: a custom CA bundle is useless,
# and rclone refuses to start when AWS_CA_BUNDLE is set.
unset AWS_CA_BUNDLE

# Start on a kernel-chosen port; the endpoint is read from the log.
mkdir "$work/data"
TALUS_ROOT_ACCESS_KEY=$ak TALUS_ROOT_SECRET_KEY=$sk \
	"$bin" server --address 127.0.0.1:0 --data "$work/data" --lifecycle-day 2s >"$work/server.log" 2>&1 &
server_pid=$!
endpoint=""
for _ in $(seq 150); do
	endpoint=$(grep -o 'endpoint=http://[0-9.:]*' "$work/server.log" | head -n1 | cut -d= -f2 || true)
	[[ -n $endpoint ]] && break
	kill -0 "$server_pid" 2>/dev/null || break
	sleep 0.1
done
if [[ -z $endpoint ]]; then
	echo "talus did not start:" >&2
	cat "$work/server.log" >&2
	exit 1
fi
for _ in $(seq 100); do
	curl -fsS -o /dev/null "$endpoint/_talus/health/ready" 2>/dev/null && break
	sleep 0.1
done
curl -fsS -o /dev/null "$endpoint/_talus/health/ready" || {
	echo "talus at $endpoint never became ready" >&2
	cat "$work/server.log" >&2
	exit 1
}
hostport=${endpoint#http://}
echo "talus at $endpoint"

head -c "$size" /dev/urandom >"$work/upload.bin"
want_sum=$(sha256sum <"$work/upload.bin" | cut -d' ' -f1)
head -c $((100 << 20)) /dev/urandom >"$work/big.bin"
big_sum=$(sha256sum <"$work/big.bin" | cut -d' ' -f1)

passed=0
failed=0
client=""

# step DESC CMD...: run CMD with its output in the client's log; count it.
step() {
	local desc=$1
	shift
	echo "+ $desc: $*" >>"$work/$client.log"
	if "$@" >>"$work/$client.log" 2>&1; then
		passed=$((passed + 1))
		return 0
	fi
	failed=$((failed + 1))
	echo "FAIL $client: $desc"
	echo "--- $client log (tail) ---"
	tail -n 25 "$work/$client.log"
	echo "---"
	return 1
}

# listed FILE FIELD_SIZE FIELD_NAME NAME: FILE has a line whose fields hold
# the expected size and NAME.
listed() {
	awk -v s="$size" -v n="$4" -v fs="$2" -v fn="$3" '$fs == s && $fn == n { found = 1 } END { exit !found }' "$1"
}

same_sum() {
	local got
	got=$(sha256sum <"$1" | cut -d' ' -f1)
	[[ $got == "$want_sum" ]] || {
		echo "sha256 $got, want $want_sum"
		return 1
	}
}

same_sum_big() {
	local got
	got=$(sha256sum <"$1" | cut -d' ' -f1)
	[[ $got == "$big_sum" ]] || {
		echo "sha256 $got, want $big_sum"
		return 1
	}
}

# ---- awscli -------------------------------------------------------------
aws_bin=${AWS_BIN:-aws}
[[ -z ${AWS_BIN:-} && -x /usr/bin/aws ]] && aws_bin=/usr/bin/aws
cat >"$work/aws-config" <<EOF
[default]
region = $region
s3 =
    addressing_style = path
EOF
awsc() {
	env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SESSION_TOKEN \
		AWS_CONFIG_FILE="$work/aws-config" AWS_SHARED_CREDENTIALS_FILE="$work/aws-credentials-none" \
		AWS_ACCESS_KEY_ID=$ak AWS_SECRET_ACCESS_KEY=$sk \
		AWS_DEFAULT_REGION=$region AWS_EC2_METADATA_DISABLED=true AWS_PAGER= \
		"$aws_bin" --endpoint-url "$endpoint" "$@"
}
run_awscli() {
	local b=s3://aws-smoke
	step "version" awsc --version || return 1
	step "create bucket" awsc s3 mb "$b" || return 1
	step "upload 20 MiB" awsc s3 cp --no-progress "$work/upload.bin" "$b/$key" || return 1
	step "list" awsc s3 ls --recursive "$b" || return 1
	awsc s3 ls --recursive "$b" >"$work/aws.ls" 2>&1 || true
	step "listing shows $key, $size B" listed "$work/aws.ls" 3 4 "$key" || return 1
	step "download" awsc s3 cp --no-progress "$b/$key" "$work/aws.down" || return 1
	step "sha256 matches" same_sum "$work/aws.down" || return 1
	# 100 MiB: multipart up and down (8 MiB parts), then a server-side
	# multipart copy (UploadPartCopy).
	step "upload 100 MiB (multipart)" awsc s3 cp --no-progress "$work/big.bin" "$b/big" || return 1
	step "download 100 MiB" awsc s3 cp --no-progress "$b/big" "$work/aws.big.down" || return 1
	step "100 MiB sha256 matches" same_sum_big "$work/aws.big.down" || return 1
	step "server-side copy 100 MiB" awsc s3 cp --no-progress "$b/big" "$b/big-copy" || return 1
	step "download the copy" awsc s3 cp --no-progress "$b/big-copy" "$work/aws.copy.down" || return 1
	step "copy sha256 matches" same_sum_big "$work/aws.copy.down" || return 1
	step "delete objects" awsc s3 rm --recursive "$b" || return 1
	step "delete bucket" awsc s3 rb "$b" || return 1
}

# ---- awscli: archive class and restore ----------------------------------
# The server runs with a two-second lifecycle day, so an Expedited restore
# (five minutes on AWS) completes at once and 30 days last a minute.
# glacier_head B K TEXT: head-object's JSON output holds TEXT.
glacier_head() {
	awsc s3api head-object --bucket "$1" --key "$2" | grep -qF "$3"
}

# glacier_get_refused B K: GET answers InvalidObjectState.
glacier_get_refused() {
	if awsc s3api get-object --bucket "$1" --key "$2" "$work/glacier.none" >"$work/glacier.err" 2>&1; then
		echo "GET of an archived object succeeded"
		return 1
	fi
	grep -q InvalidObjectState "$work/glacier.err"
}

# glacier_restored B K: waits until x-amz-restore says the restore is done.
glacier_restored() {
	for _ in $(seq 50); do
		glacier_head "$1" "$2" 'ongoing-request=\"false\"' && return 0
		sleep 0.2
	done
	return 1
}

run_awsglacier() {
	local b=glacier-smoke
	step "create bucket" awsc s3 mb "s3://$b" || return 1
	step "upload as GLACIER" awsc s3api put-object --bucket "$b" --key g --storage-class GLACIER --body "$work/upload.bin" || return 1
	step "head reports GLACIER" glacier_head "$b" g '"StorageClass": "GLACIER"' || return 1
	step "GET refused before a restore" glacier_get_refused "$b" g || return 1
	step "restore-object" awsc s3api restore-object --bucket "$b" --key g --restore-request 'Days=30,GlacierJobParameters={Tier=Expedited}' || return 1
	step "restore completes" glacier_restored "$b" g || return 1
	step "download restored" awsc s3api get-object --bucket "$b" --key g "$work/glacier.down" || return 1
	step "sha256 matches" same_sum "$work/glacier.down" || return 1
	step "delete objects" awsc s3 rm --recursive "s3://$b" || return 1
	step "delete bucket" awsc s3 rb "s3://$b" || return 1
}

# ---- aws kms ------------------------------------------------------------
# kms_value OUT ARGS...: the CLI's text output of ARGS, into $work/OUT.
kms_value() {
	local out=$1
	shift
	awsc kms "$@" --output text >"$work/$out"
	[[ -s $work/$out ]]
}
file_is() {
	local got
	got=$(cat "$1")
	[[ $got == "$2" ]] || {
		echo "$1 holds '$got', want '$2'"
		return 1
	}
}
kms_encrypt() {
	awsc kms encrypt --key-id alias/smoke --plaintext "fileb://$work/kms.plain" \
		--encryption-context purpose=smoke --query CiphertextBlob --output text | base64 -d >"$work/kms.blob"
	[[ -s $work/kms.blob ]]
}
kms_decrypt() {
	awsc kms decrypt --ciphertext-blob "fileb://$work/kms.blob" --encryption-context purpose=smoke \
		--query Plaintext --output text | base64 -d >"$work/kms.back"
	cmp "$work/kms.plain" "$work/kms.back"
}
kms_decrypt_other_context_fails() {
	! awsc kms decrypt --ciphertext-blob "fileb://$work/kms.blob" --encryption-context purpose=other 2>"$work/kms.err" &&
		grep -q InvalidCiphertextException "$work/kms.err"
}
admin_create_key() {
	TALUS_ROOT_ACCESS_KEY=$ak TALUS_ROOT_SECRET_KEY=$sk "$bin" admin --endpoint "$endpoint" \
		kms create-key --key-id smoke-key --description "made by talus admin"
}
run_awskms() {
	step "create key" kms_value kms.id create-key --description smoke --query KeyMetadata.KeyId || return 1
	local id
	id=$(cat "$work/kms.id")
	step "create alias" awsc kms create-alias --alias-name alias/smoke --target-key-id "$id" || return 1
	step "list aliases" kms_value kms.alias list-aliases --query "Aliases[?AliasName=='alias/smoke'].TargetKeyId" || return 1
	step "alias names the key" file_is "$work/kms.alias" "$id" || return 1
	step "describe key by alias" kms_value kms.state describe-key --key-id alias/smoke --query KeyMetadata.[KeyId,KeyState] || return 1
	step "key is enabled" file_is "$work/kms.state" "$id	Enabled" || return 1
	head -c 200 /dev/urandom >"$work/kms.plain"
	step "encrypt" kms_encrypt || return 1
	step "decrypt round trip" kms_decrypt || return 1
	step "another context fails" kms_decrypt_other_context_fails || return 1
	step "talus admin kms create-key --key-id" admin_create_key || return 1
	step "describe the chosen key" kms_value kms.chosen describe-key --key-id smoke-key --query KeyMetadata.Arn || return 1
	step "chosen key ARN" file_is "$work/kms.chosen" "arn:aws:kms:$region:000000000000:key/smoke-key" || return 1
}

# ---- aws iam / sts ------------------------------------------------------
# A user in a group whose managed policy lets it assume a role; the role's
# temporary credentials then list a bucket with 'aws s3 ls'.
awsas() {
	env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE \
		AWS_CONFIG_FILE="$work/aws-config" AWS_SHARED_CREDENTIALS_FILE="$work/aws-credentials-none" \
		AWS_ACCESS_KEY_ID=$1 AWS_SECRET_ACCESS_KEY=$2 AWS_SESSION_TOKEN=$3 \
		AWS_DEFAULT_REGION=$region AWS_EC2_METADATA_DISABLED=true AWS_PAGER= \
		"$aws_bin" --endpoint-url "$endpoint" "${@:4}"
}
iam_user_key() {
	awsc iam create-access-key --user-name smoke-user --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text >"$work/iam.key"
	[[ $(wc -w <"$work/iam.key") == 2 ]]
}
iam_policy() {
	awsc iam create-policy --policy-name smoke-assume --query Policy.Arn --output text \
		--policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::000000000000:role/smoke-role"}]}' >"$work/iam.policy"
	[[ -s $work/iam.policy ]]
}
sts_assume() {
	local uak usk
	read -r uak usk <"$work/iam.key"
	awsas "$uak" "$usk" "" sts assume-role --role-arn arn:aws:iam::000000000000:role/smoke-role \
		--role-session-name smoke --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text >"$work/sts.creds"
	[[ $(wc -w <"$work/sts.creds") == 3 ]]
}
sts_whoami() {
	local tak tsk ttok
	read -r tak tsk ttok <"$work/sts.creds"
	awsas "$tak" "$tsk" "$ttok" sts get-caller-identity --query Arn --output text >"$work/sts.arn"
	file_is "$work/sts.arn" "arn:aws:sts::000000000000:assumed-role/smoke-role/smoke"
}
sts_s3_ls() {
	local tak tsk ttok
	read -r tak tsk ttok <"$work/sts.creds"
	awsas "$tak" "$tsk" "$ttok" s3 ls s3://iam-smoke >"$work/sts.ls"
	grep -q hello.txt "$work/sts.ls"
}
sts_s3_put_denied() {
	local tak tsk ttok
	read -r tak tsk ttok <"$work/sts.creds"
	! awsas "$tak" "$tsk" "$ttok" s3 cp "$work/kms.plain" s3://iam-smoke/nope 2>"$work/sts.err" && grep -q AccessDenied "$work/sts.err"
}
run_awsiam() {
	head -c 100 /dev/urandom >"$work/kms.plain"
	step "create bucket" awsc s3 mb s3://iam-smoke || return 1
	step "upload" awsc s3 cp --no-progress "$work/kms.plain" s3://iam-smoke/hello.txt || return 1
	step "create user" awsc iam create-user --user-name smoke-user || return 1
	step "create access key" iam_user_key || return 1
	step "create group" awsc iam create-group --group-name smoke-group || return 1
	step "add user to group" awsc iam add-user-to-group --group-name smoke-group --user-name smoke-user || return 1
	step "create managed policy" iam_policy || return 1
	step "attach it to the group" awsc iam attach-group-policy --group-name smoke-group --policy-arn "$(cat "$work/iam.policy")" || return 1
	step "create role" awsc iam create-role --role-name smoke-role --assume-role-policy-document \
		'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/smoke-user"},"Action":"sts:AssumeRole"}]}' || return 1
	step "role policy" awsc iam put-role-policy --role-name smoke-role --policy-name list --policy-document \
		'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket","s3:GetObject"],"Resource":["arn:aws:s3:::iam-smoke","arn:aws:s3:::iam-smoke/*"]}]}' || return 1
	step "assume role as the user" sts_assume || return 1
	step "get-caller-identity is the role session" sts_whoami || return 1
	step "aws s3 ls with the temporary credentials" sts_s3_ls || return 1
	step "a write outside the role is denied" sts_s3_put_denied || return 1
}

# ---- accounts -----------------------------------------------------------
# json_field FILE NAME: a string field of talus admin's JSON output.
json_field() { sed -n "s/.*\"$2\": \"\([^\"]*\)\".*/\1/p" "$1"; }
admin_create_account() {
	TALUS_ROOT_ACCESS_KEY=$ak TALUS_ROOT_SECRET_KEY=$sk "$bin" admin --endpoint "$endpoint" \
		account create --name smoke-b --email smoke-b@example.com >"$work/account.json" &&
		[[ $(json_field "$work/account.json" AccountId) =~ ^[0-9]{12}$ ]]
}
# awsb: the CLI as the second account's root.
awsb() { ak=$(json_field "$work/account.json" AccessKeyId) sk=$(json_field "$work/account.json" SecretAccessKey) awsc "$@"; }
only_bucket() { [[ $("$@" s3api list-buckets --query 'Buckets[].Name' --output text) == cross-b ]]; }
b_cannot_put() { ! awsb s3api put-object --bucket cross-a --key k --body "$work/kms.plain" 2>"$work/cross.err" && grep -q AccessDenied "$work/cross.err"; }
run_awsaccounts() {
	head -c 200 /dev/urandom >"$work/kms.plain"
	step "talus admin account create" admin_create_account || return 1
	local b
	b=$(json_field "$work/account.json" AccountId)
	step "create bucket as A" awsc s3 mb s3://cross-a || return 1
	step "create bucket as B" awsb s3 mb s3://cross-b || return 1
	step "B lists only its bucket" only_bucket awsb || return 1
	step "B cannot write A's bucket" b_cannot_put || return 1
	step "A grants B PutObject" awsc s3api put-bucket-policy --bucket cross-a --policy \
		'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"'"$b"'"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::cross-a/*"}]}' || return 1
	step "B writes with bucket-owner-full-control" awsb s3api put-object --bucket cross-a --key k --body "$work/kms.plain" \
		--acl bucket-owner-full-control --expected-bucket-owner 000000000000 || return 1
	step "A reads B's write" awsc s3api get-object --bucket cross-a --key k "$work/cross.back" || return 1
	step "same bytes" cmp "$work/kms.plain" "$work/cross.back" || return 1
	step "cleanup" awsc s3 rb --force s3://cross-a || return 1
	step "cleanup B" awsb s3 rb s3://cross-b || return 1
}

# ---- rclone -------------------------------------------------------------
# rclone 1.60 sends x-amz-acl: private on uploads unless told otherwise,
# which S3 refuses on buckets with ACLs disabled (BucketOwnerEnforced, the
# default); bucket-owner-full-control is the ACL such buckets accept.
: >"$work/rclone.conf"
rc() {
	RCLONE_CONFIG=$work/rclone.conf \
		RCLONE_CONFIG_TALUS_TYPE=s3 RCLONE_CONFIG_TALUS_PROVIDER=Other \
		RCLONE_CONFIG_TALUS_ENDPOINT=$endpoint RCLONE_CONFIG_TALUS_REGION=$region \
		RCLONE_CONFIG_TALUS_ACCESS_KEY_ID=$ak RCLONE_CONFIG_TALUS_SECRET_ACCESS_KEY=$sk \
		RCLONE_CONFIG_TALUS_FORCE_PATH_STYLE=true RCLONE_CONFIG_TALUS_UPLOAD_CUTOFF=5M RCLONE_CONFIG_TALUS_CHUNK_SIZE=5M \
		RCLONE_CONFIG_TALUS_ENV_AUTH=false RCLONE_CONFIG_TALUS_ACL=bucket-owner-full-control \
		rclone --retries 1 --low-level-retries 1 "$@"
}
run_rclone() {
	local b=talus:rclone-smoke
	step "version" rc version || return 1
	step "create bucket" rc mkdir "$b" || return 1
	step "upload 20 MiB" rc copyto "$work/upload.bin" "$b/$key" || return 1
	step "list" rc ls "$b" || return 1
	rc ls "$b" >"$work/rclone.ls" 2>&1 || true
	step "listing shows $key, $size B" listed "$work/rclone.ls" 1 2 "$key" || return 1
	step "download" rc copyto "$b/$key" "$work/rclone.down" || return 1
	step "sha256 matches" same_sum "$work/rclone.down" || return 1
	step "delete object" rc deletefile "$b/$key" || return 1
	step "delete bucket" rc rmdir "$b" || return 1
}

# ---- s3cmd --------------------------------------------------------------
: >"$work/s3cfg"
s3c() {
	s3cmd -c "$work/s3cfg" --host="$hostport" --host-bucket="$hostport" --no-ssl \
		--access_key="$ak" --secret_key="$sk" --region="$region" --multipart-chunk-size-mb=5 \
		--no-progress "$@"
}
run_s3cmd() {
	local b=s3://s3cmd-smoke
	step "version" s3c --version || return 1
	step "create bucket" s3c mb "$b" || return 1
	step "upload 20 MiB" s3c put "$work/upload.bin" "$b/$key" || return 1
	step "list" s3c ls --recursive "$b" || return 1
	s3c ls --recursive "$b" >"$work/s3cmd.ls" 2>&1 || true
	step "listing shows $key, $size B" listed "$work/s3cmd.ls" 3 4 "$b/$key" || return 1
	step "download" s3c get "$b/$key" "$work/s3cmd.down" || return 1
	step "sha256 matches" same_sum "$work/s3cmd.down" || return 1
	# Legacy clients: the same round trip signed with Signature Version 2.
	step "SigV2 upload" s3c --signature-v2 put "$work/upload.bin" "$b/v2-$key" || return 1
	step "SigV2 download" s3c --signature-v2 get "$b/v2-$key" "$work/s3cmd.v2.down" || return 1
	step "SigV2 sha256 matches" same_sum "$work/s3cmd.v2.down" || return 1
	step "SigV2 delete" s3c --signature-v2 del "$b/v2-$key" || return 1
	step "delete object" s3c del "$b/$key" || return 1
	step "delete bucket" s3c rb "$b" || return 1
}

# After the clients: the metrics counted their uploads, and every request
# left an access line.
metrics_has() { curl -fsS -o "$work/metrics.txt" "$endpoint/_talus/metrics" && grep -q "$1" "$work/metrics.txt"; }
run_metrics() {
	step "metrics count CreateBucket" metrics_has '^talus_http_requests_total{api="s3",operation="CreateBucket",status="200"}' || return 1
	step "access log lines" grep -q 'msg=access .*op=CreateBucket .*status=200' "$work/server.log" || return 1
}

for client in ${SMOKE_CLIENTS:-awscli awsglacier awskms awsiam awsaccounts rclone s3cmd metrics}; do
	: >"$work/$client.log"
	if "run_$client"; then
		echo "PASS $client"
	fi
done

if ((failed > 0)); then
	echo "--- server log (tail) ---"
	tail -n 40 "$work/server.log"
	echo "---"
fi
echo "$passed passed, $failed failed"
((failed == 0))
