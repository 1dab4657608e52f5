using Refit;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// ServiceNow's Table API. Responses come back raw so the client can tell 401 (renew and retry once), 403, 404,
/// 429 and 5xx apart (a 5xx after a create is looked up before it is sent again) and read ServiceNow's error body;
/// a successful body is then read as typed records (<c>ServiceNowWireModels.cs</c>) by <see cref="ServiceNowJson"/>,
/// the one deserializer, straight from the stream.
/// </summary>
internal interface IServiceNowTableApi
{
    [Get("/api/now/table/{table}")]
    Task<HttpResponseMessage> ListAsync(string table, [Query] ServiceNowListQuery query, [Header("Authorization")] string authorization, CancellationToken cancellationToken);

    /// <summary>
    /// One record by sys_id (Table API "GET /now/table/{tableName}/{sys_id}": 200 or 404,
    /// https://github.com/ServiceNow/ServiceNowDocs/blob/australia/markdown/api-reference/rest-apis/c_TableAPI.md).
    /// </summary>
    [Get("/api/now/table/{table}/{sysId}")]
    Task<HttpResponseMessage> GetAsync(string table, string sysId, [Query] ServiceNowListQuery query, [Header("Authorization")] string authorization, CancellationToken cancellationToken);

    [Post("/api/now/table/{table}")]
    Task<HttpResponseMessage> CreateAsync(
        string table,
        [Body] IReadOnlyDictionary<string, string> fields,
        [Query] ServiceNowListQuery query,
        [Header("Authorization")] string authorization,
        CancellationToken cancellationToken);

    [Patch("/api/now/table/{table}/{sysId}")]
    Task<HttpResponseMessage> UpdateAsync(
        string table,
        string sysId,
        [Body] IReadOnlyDictionary<string, string> fields,
        [Query] ServiceNowListQuery query,
        [Header("Authorization")] string authorization,
        CancellationToken cancellationToken);
    [Delete("/api/now/table/{table}/{sysId}")]
    Task<HttpResponseMessage> DeleteAsync(string table, string sysId, [Header("Authorization")] string authorization, CancellationToken cancellationToken);
}
