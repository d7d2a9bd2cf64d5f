package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strings"
)

const adminDirectoryUsage = `
Groups, roles and managed policies (IAM's operations of the same names):
  group create NAME           group list                 group get NAME
  group delete NAME           group add-user GROUP USER  group remove-user GROUP USER
  group-policy put GROUP NAME FILE   group-policy get GROUP NAME
  group-policy list GROUP            group-policy delete GROUP NAME
  role create NAME TRUST_FILE role list                  role get NAME
  role delete NAME            role trust NAME TRUST_FILE (UpdateAssumeRolePolicy)
  role-policy put ROLE NAME FILE     role-policy get ROLE NAME
  role-policy list ROLE              role-policy delete ROLE NAME
  managed create NAME FILE    managed list               managed get ARN
  managed delete ARN          managed update ARN FILE (a new default version)
  managed versions ARN        managed delete-version ARN VERSION
  attach user|group|role NAME ARN    detach user|group|role NAME ARN
  attached user|group|role NAME
`

// adminFixed are parameters a command always sends.
var adminFixed = map[string]map[string]string{"managed update": {"SetAsDefault": "true"}}

func init() {
	add := func(name, action string, params ...string) {
		adminCommands[name] = struct {
			action string
			params []string
		}{action, params}
	}
	add("group create", "CreateGroup", "GroupName")
	add("group list", "ListGroups")
	add("group get", "GetGroup", "GroupName")
	add("group delete", "DeleteGroup", "GroupName")
	add("group add-user", "AddUserToGroup", "GroupName", "UserName")
	add("group remove-user", "RemoveUserFromGroup", "GroupName", "UserName")
	add("role create", "CreateRole", "RoleName", "AssumeRolePolicyDocument")
	add("role list", "ListRoles")
	add("role get", "GetRole", "RoleName")
	add("role delete", "DeleteRole", "RoleName")
	add("role trust", "UpdateAssumeRolePolicy", "RoleName", "PolicyDocument")
	for _, o := range []struct{ noun, kind, param string }{{"group-policy", "Group", "GroupName"}, {"role-policy", "Role", "RoleName"}} {
		add(o.noun+" put", "Put"+o.kind+"Policy", o.param, "PolicyName", "PolicyDocument")
		add(o.noun+" get", "Get"+o.kind+"Policy", o.param, "PolicyName")
		add(o.noun+" list", "List"+o.kind+"Policies", o.param)
		add(o.noun+" delete", "Delete"+o.kind+"Policy", o.param, "PolicyName")
	}
	add("managed create", "CreatePolicy", "PolicyName", "PolicyDocument")
	add("managed list", "ListPolicies")
	add("managed get", "GetPolicy", "PolicyArn")
	add("managed delete", "DeletePolicy", "PolicyArn")
	add("managed update", "CreatePolicyVersion", "PolicyArn", "PolicyDocument")
	add("managed versions", "ListPolicyVersions", "PolicyArn")
	add("managed delete-version", "DeletePolicyVersion", "PolicyArn", "VersionId")
	for _, k := range []string{"user", "group", "role"} {
		kind := strings.ToUpper(k[:1]) + k[1:]
		add("attach "+k, "Attach"+kind+"Policy", kind+"Name", "PolicyArn")
		add("detach "+k, "Detach"+kind+"Policy", kind+"Name", "PolicyArn")
		add("attached "+k, "ListAttached"+kind+"Policies", kind+"Name")
	}
}

// isDocumentParam: the argument names a file holding a policy document.
func isDocumentParam(p string) bool { return p == "PolicyDocument" || p == "AssumeRolePolicyDocument" }

// printDirectoryResult prints the results of group, role and managed
// policy actions; it reports false for actions it does not know.
func printDirectoryResult(w io.Writer, action string, body []byte) (bool, error) {
	var r struct {
		Result struct {
			Groups []struct {
				GroupName string `xml:"GroupName"`
				Arn       string `xml:"Arn"`
			} `xml:"Groups>member"`
			Group struct {
				GroupName string `xml:"GroupName"`
				Arn       string `xml:"Arn"`
			} `xml:"Group"`
			Users []struct {
				UserName string `xml:"UserName"`
			} `xml:"Users>member"`
			Roles []struct {
				RoleName string `xml:"RoleName"`
				Arn      string `xml:"Arn"`
			} `xml:"Roles>member"`
			Role struct {
				RoleName string `xml:"RoleName"`
				Arn      string `xml:"Arn"`
				Trust    string `xml:"AssumeRolePolicyDocument"`
			} `xml:"Role"`
			Policies []struct {
				Arn             string `xml:"Arn"`
				DefaultVersion  string `xml:"DefaultVersionId"`
				AttachmentCount int    `xml:"AttachmentCount"`
			} `xml:"Policies>member"`
			Policy struct {
				Arn             string `xml:"Arn"`
				DefaultVersion  string `xml:"DefaultVersionId"`
				AttachmentCount int    `xml:"AttachmentCount"`
			} `xml:"Policy"`
			Attached []struct {
				PolicyArn string `xml:"PolicyArn"`
			} `xml:"AttachedPolicies>member"`
			Versions []struct {
				VersionID string `xml:"VersionId"`
				IsDefault bool   `xml:"IsDefaultVersion"`
			} `xml:"Versions>member"`
			Version struct {
				VersionID string `xml:"VersionId"`
			} `xml:"PolicyVersion"`
			PolicyNames []string `xml:"PolicyNames>member"`
			Document    string   `xml:"PolicyDocument"`
		} `xml:",any"`
	}
	if err := xml.Unmarshal(body, &r); err != nil {
		return true, err
	}
	res := r.Result
	switch action {
	case "ListGroups":
		for _, g := range res.Groups {
			fmt.Fprintf(w, "%s\t%s\n", g.GroupName, g.Arn)
		}
	case "CreateGroup":
		fmt.Fprintf(w, "created %s (%s)\n", res.Group.GroupName, res.Group.Arn)
	case "GetGroup":
		fmt.Fprintf(w, "%s\t%s\n", res.Group.GroupName, res.Group.Arn)
		for _, u := range res.Users {
			fmt.Fprintf(w, "member\t%s\n", u.UserName)
		}
	case "ListRoles":
		for _, ro := range res.Roles {
			fmt.Fprintf(w, "%s\t%s\n", ro.RoleName, ro.Arn)
		}
	case "CreateRole":
		fmt.Fprintf(w, "created %s (%s)\n", res.Role.RoleName, res.Role.Arn)
	case "GetRole":
		doc, err := url.QueryUnescape(res.Role.Trust)
		if err != nil {
			return true, err
		}
		fmt.Fprintf(w, "%s\t%s\n%s\n", res.Role.RoleName, res.Role.Arn, doc)
	case "ListPolicies":
		for _, p := range res.Policies {
			fmt.Fprintf(w, "%s\t%s\tattached %d\n", p.Arn, p.DefaultVersion, p.AttachmentCount)
		}
	case "CreatePolicy", "GetPolicy":
		fmt.Fprintf(w, "%s\t%s\tattached %d\n", res.Policy.Arn, res.Policy.DefaultVersion, res.Policy.AttachmentCount)
	case "CreatePolicyVersion":
		fmt.Fprintf(w, "version %s (default)\n", res.Version.VersionID)
	case "ListPolicyVersions":
		for _, v := range res.Versions {
			mark := ""
			if v.IsDefault {
				mark = "\tdefault"
			}
			fmt.Fprintf(w, "%s%s\n", v.VersionID, mark)
		}
	case "ListAttachedUserPolicies", "ListAttachedGroupPolicies", "ListAttachedRolePolicies":
		for _, p := range res.Attached {
			fmt.Fprintln(w, p.PolicyArn)
		}
	case "ListGroupPolicies", "ListRolePolicies":
		for _, n := range res.PolicyNames {
			fmt.Fprintln(w, n)
		}
	case "GetGroupPolicy", "GetRolePolicy":
		doc, err := url.QueryUnescape(res.Document)
		if err != nil {
			return true, err
		}
		fmt.Fprintln(w, doc)
	default:
		return false, nil
	}
	return true, nil
}
