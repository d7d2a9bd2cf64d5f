package policy

import "strings"

// resType is the kind of S3 resource an action applies to.
type resType uint8

const (
	resNone   resType = iota // account-level or other resource types (access points, jobs, ...)
	resBucket                // arn:aws:s3:::bucket
	resObject                // arn:aws:s3:::bucket/key
)

// s3Actions lists the actions of the S3 service (service prefix "s3") from
// the Service Authorization Reference, with the bucket/object resource type
// each applies to. Actions on other resource types (access points, batch
// jobs, Storage Lens, Access Grants, Multi-Region Access Points) and
// account-level actions are resNone: they are valid action names but never
// apply to a bucket-policy resource.
var s3Actions = map[string]resType{}

func init() {
	for _, a := range strings.Fields(s3BucketActions) {
		s3Actions[strings.ToLower(a)] = resBucket
	}
	for _, a := range strings.Fields(s3ObjectActions) {
		s3Actions[strings.ToLower(a)] = resObject
	}
	for _, a := range strings.Fields(s3OtherActions) {
		s3Actions[strings.ToLower(a)] = resNone
	}
	s3ActionNames = make([]string, 0, len(s3Actions))
	for a := range s3Actions {
		s3ActionNames = append(s3ActionNames, a)
	}
}

var s3ActionNames []string

const s3BucketActions = `
CreateBucket CreateBucketMetadataConfiguration CreateBucketMetadataTableConfiguration
DeleteBucket DeleteBucketMetadataConfiguration DeleteBucketMetadataTableConfiguration
DeleteBucketPolicy DeleteBucketWebsite
GetAccelerateConfiguration GetAnalyticsConfiguration GetBucketAcl GetBucketCORS
GetBucketLocation GetBucketLogging GetBucketMetadataConfiguration
GetBucketMetadataTableConfiguration GetBucketNotification
GetBucketObjectLockConfiguration GetBucketOwnershipControls GetBucketPolicy
GetBucketPolicyStatus GetBucketPublicAccessBlock GetBucketRequestPayment
GetBucketTagging GetBucketVersioning GetBucketWebsite GetEncryptionConfiguration
GetIntelligentTieringConfiguration GetInventoryConfiguration
GetLifecycleConfiguration GetMetricsConfiguration GetReplicationConfiguration
ListBucket ListBucketMultipartUploads ListBucketVersions PauseReplication
PutAccelerateConfiguration PutAnalyticsConfiguration PutBucketAcl PutBucketCORS
PutBucketLogging PutBucketNotification PutBucketObjectLockConfiguration
PutBucketOwnershipControls PutBucketPolicy PutBucketPublicAccessBlock
PutBucketRequestPayment PutBucketTagging PutBucketVersioning PutBucketWebsite
PutEncryptionConfiguration PutIntelligentTieringConfiguration
PutInventoryConfiguration PutLifecycleConfiguration PutMetricsConfiguration
PutReplicationConfiguration UpdateBucketMetadataInventoryTableConfiguration
UpdateBucketMetadataJournalTableConfiguration
`

const s3ObjectActions = `
AbortMultipartUpload BypassGovernanceRetention DeleteObject DeleteObjectAnnotation
DeleteObjectTagging
DeleteObjectVersion DeleteObjectVersionTagging GetObject GetObjectAcl
GetObjectAnnotation GetObjectAttributes GetObjectLegalHold GetObjectRetention GetObjectTagging
GetObjectTorrent GetObjectVersion GetObjectVersionAcl GetObjectVersionAttributes
GetObjectVersionForReplication GetObjectVersionTagging GetObjectVersionTorrent
InitiateReplication ListMultipartUploadParts ListObjectAnnotations ObjectOwnerOverrideToBucketOwner
PutObject PutObjectAcl PutObjectAnnotation PutObjectLegalHold PutObjectRetention PutObjectTagging
PutObjectVersionAcl PutObjectVersionTagging ReplicateDelete ReplicateObject
ReplicateTags RestoreObject
`

const s3OtherActions = `
AssociateAccessGrantsIdentityCenter CreateAccessGrant CreateAccessGrantsInstance
CreateAccessGrantsLocation CreateAccessPoint CreateAccessPointForObjectLambda
CreateJob CreateMultiRegionAccessPoint CreateStorageLensGroup DeleteAccessGrant
DeleteAccessGrantsInstance DeleteAccessGrantsInstanceResourcePolicy
DeleteAccessGrantsLocation DeleteAccessPoint DeleteAccessPointForObjectLambda
DeleteAccessPointPolicy DeleteAccessPointPolicyForObjectLambda DeleteJobTagging
DeleteMultiRegionAccessPoint DeleteStorageLensConfiguration
DeleteStorageLensConfigurationTagging DeleteStorageLensGroup DescribeJob
DescribeMultiRegionAccessPointOperation DissociateAccessGrantsIdentityCenter
GetAccessGrant GetAccessGrantsInstance GetAccessGrantsInstanceForPrefix
GetAccessGrantsInstanceResourcePolicy GetAccessGrantsLocation GetAccessPoint
GetAccessPointConfigurationForObjectLambda GetAccessPointForObjectLambda
GetAccessPointPolicy GetAccessPointPolicyForObjectLambda
GetAccessPointPolicyStatus GetAccessPointPolicyStatusForObjectLambda
GetAccountPublicAccessBlock GetDataAccess GetJobTagging GetMultiRegionAccessPoint
GetMultiRegionAccessPointPolicy GetMultiRegionAccessPointPolicyStatus
GetMultiRegionAccessPointRoutes GetStorageLensConfiguration
GetStorageLensConfigurationTagging GetStorageLensDashboard GetStorageLensGroup
ListAccessGrants ListAccessGrantsInstances ListAccessGrantsLocations
ListAccessPoints ListAccessPointsForObjectLambda ListAllMyBuckets
ListCallerAccessGrants ListJobs ListMultiRegionAccessPoints
ListStorageLensConfigurations ListStorageLensGroups ListTagsForResource
PutAccessGrantsInstanceResourcePolicy PutAccessPointConfigurationForObjectLambda
PutAccessPointPolicy PutAccessPointPolicyForObjectLambda
PutAccessPointPublicAccessBlock PutAccountPublicAccessBlock
PutJobTagging PutMultiRegionAccessPointPolicy PutStorageLensConfiguration
PutStorageLensConfigurationTagging SubmitMultiRegionAccessPointRoutes
TagResource UntagResource UpdateAccessGrantsLocation UpdateJobPriority
UpdateJobStatus UpdateStorageLensGroup
`

// globalConditionKeys are the AWS global condition context keys (lower
// case). Keys ending in "/" take a suffix (a tag key).
var globalConditionKeys = keySet(`
aws:CalledVia aws:CalledViaFirst aws:CalledViaLast aws:ChatbotSourceArn
aws:CurrentTime aws:EpochTime aws:Ec2InstanceSourcePrivateIPv4
aws:Ec2InstanceSourceVpc aws:FederatedProvider aws:MultiFactorAuthAge
aws:MultiFactorAuthPresent aws:PrincipalAccount aws:PrincipalArn
aws:PrincipalIsAWSService aws:PrincipalOrgID aws:PrincipalOrgPaths
aws:PrincipalServiceName aws:PrincipalServiceNamesList aws:PrincipalTag/
aws:PrincipalType aws:Referer aws:RequestedRegion aws:RequestTag/
aws:ResourceAccount aws:ResourceOrgID aws:ResourceOrgPaths aws:ResourceTag/
aws:SecureTransport aws:SourceAccount aws:SourceArn aws:SourceIdentity
aws:SourceIp aws:SourceOrgID aws:SourceOrgPaths aws:SourceOwner aws:SourceVpc
aws:SourceVpcArn aws:SourceVpce aws:TagKeys aws:TokenIssueTime aws:UserAgent
aws:userid aws:username aws:ViaAWSService aws:VpceAccount aws:VpceOrgID
aws:VpceOrgPaths aws:VpcSourceIp aws:AssumedRoot
`)

// s3ConditionKeys are the S3 service condition keys (lower case).
var s3ConditionKeys = keySet(`
s3:AccessGrantsInstanceArn s3:AccessPointNetworkOrigin s3:authType s3:BucketTag/
s3:DataAccessPointAccount s3:DataAccessPointArn s3:delimiter
s3:ExistingJobOperation s3:ExistingJobPriority s3:ExistingObjectTag/
s3:if-match s3:if-none-match s3:JobSuspendedCause s3:LocationConstraint
s3:max-keys s3:object-lock-legal-hold s3:object-lock-mode
s3:object-lock-remaining-retention-days s3:object-lock-retain-until-date
s3:ObjectCreationOperation s3:prefix s3:RequestJobOperation
s3:RequestJobPriority s3:RequestObjectTag/ s3:RequestObjectTagKeys
s3:ResourceAccount s3:signatureAge s3:signatureversion s3:TlsVersion
s3:VersionId s3:x-amz-acl s3:x-amz-content-sha256 s3:x-amz-copy-source
s3:x-amz-grant-full-control s3:x-amz-grant-read s3:x-amz-grant-read-acp
s3:x-amz-grant-write s3:x-amz-grant-write-acp s3:x-amz-metadata-directive
s3:x-amz-object-ownership s3:x-amz-server-side-encryption
s3:x-amz-server-side-encryption-aws-kms-key-id
s3:x-amz-server-side-encryption-customer-algorithm s3:x-amz-storage-class
s3:x-amz-website-redirect-location
`)

type keySetT struct {
	exact    map[string]bool
	prefixes []string
}

func keySet(list string) keySetT {
	ks := keySetT{exact: map[string]bool{}}
	for _, k := range strings.Fields(list) {
		k = strings.ToLower(k)
		if strings.HasSuffix(k, "/") {
			ks.prefixes = append(ks.prefixes, k)
		} else {
			ks.exact[k] = true
		}
	}
	return ks
}

func (ks keySetT) has(lower string) bool {
	if ks.exact[lower] {
		return true
	}
	for _, p := range ks.prefixes {
		if len(lower) > len(p) && strings.HasPrefix(lower, p) {
			return true
		}
	}
	return false
}
