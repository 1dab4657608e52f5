namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>
/// How a read of one hidden record by sys_id is answered. List reads leave hidden records out without a word ("This
/// limit is applied before ACL evaluation", Table API docs:
/// https://github.com/ServiceNow/ServiceNowDocs/blob/australia/markdown/api-reference/rest-apis/c_TableAPI.md); a read by
/// sys_id says more, and what it says depends on the rule that hides it.
/// </summary>
public enum ServiceNowHiddenRecordAnswer
{
    /// <summary>
    /// 403 "User Not Authorized", as a record-level read ACL answers (KB2971488, "REST API 403: Forbidden":
    /// https://support.servicenow.com/kb?id=kb_article_view&amp;sysparm_article=KB2971488).
    /// </summary>
    Forbidden,

    /// <summary>200 with the record's fields blank, as field-level read ACLs (<c>table.*</c>) leave it (same article: "empty fields").</summary>
    EmptyFields,

    /// <summary>
    /// 404 "No Record found" with ServiceNow's own detail "Record doesn't exist or ACL restricts the record retrieval", as
    /// a before-query business rule or domain separation answers: indistinguishable from a deletion on the wire.
    /// </summary>
    NotFound,
}
