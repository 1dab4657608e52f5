using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DefenderSnow.Simulators.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace DefenderSnow.Simulators.KeyVault;

/// <summary>
/// Serves the Key Vault secrets API. Checks run in the service's order: authentication first (so the
/// SDK's body-less challenge request gets its 401), then api-version, then names, then the body.
/// Anything the real service would refuse is refused with its status and error shape.
/// </summary>
internal sealed class KeyVaultRequestHandler
{
    private const string NotFoundHelp = "If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182";
    private readonly KeyVaultState _state;
    private readonly KeyVaultSimulatorOptions _options;
    private readonly SimulatorFaults _faults;

    public KeyVaultRequestHandler(KeyVaultState state, KeyVaultSimulatorOptions options, SimulatorFaults faults)
    {
        _state = state;
        _options = options;
        _faults = faults;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var hadAuthorization = request.Headers.Authorization.Count > 0;
        try
        {
            await SimulatorPipeline.RunAsync(context, _faults, $"{request.Method} {request.Path}", WriteFaultAsync, DispatchAsync);
        }
        finally
        {
            // A dropped connection has no status: 0.
            _state.Record(new KeyVaultRequest(request.Method, request.Path.Value ?? "/", hadAuthorization, context.RequestAborted.IsCancellationRequested ? 0 : context.Response.StatusCode));
        }
    }

    private async Task DispatchAsync(HttpContext context)
    {
        var request = context.Request;
        var token = EntraTokenCheck.Check(request, KeyVaultRules.Audience, _options.TimeProvider.GetUtcNow());
        if (token != EntraTokenCheck.Outcome.Valid)
        {
            context.Response.Headers.WWWAuthenticate =
                $"Bearer authorization=\"https://login.microsoftonline.com/{_options.TenantId}\", resource=\"{KeyVaultRules.Audience}\"";
            await WriteAsync(context, StatusCodes.Status401Unauthorized, KeyVaultJson.Error("Unauthorized", token switch
            {
                EntraTokenCheck.Outcome.Missing => "Request is missing a Bearer or PoP token.",
                EntraTokenCheck.Outcome.WrongAudience => $"Invalid audience. Expected {KeyVaultRules.Audience}.",
                EntraTokenCheck.Outcome.Expired => "The access token has expired.",
                _ => "The access token is malformed.",
            }));
            return;
        }

        var apiVersions = request.Query["api-version"];
        if (apiVersions.Count != 1 || string.IsNullOrEmpty(apiVersions[0]))
        {
            await BadParameterAsync(context, "The 'api-version' query parameter is required and may be given once.");
            return;
        }

        var apiVersion = apiVersions[0]!;
        if (!KeyVaultRules.ApiVersions.Contains(apiVersion))
        {
            await BadParameterAsync(context, $"The specified version ({apiVersion}) is not recognized. Consider using the latest supported version.");
            return;
        }

        var segments = (request.Path.Value ?? "/").TrimStart('/').Split('/').ToList();
        if (segments.Count > 1 && segments[^1].Length == 0)
        {
            // The SDK asks for the latest version as /secrets/{name}/ with an empty version.
            segments.RemoveAt(segments.Count - 1);
        }

        var vault = $"https://{request.Host}";
        var method = request.Method;
        switch (segments)
        {
            case ["secrets"] when HttpMethods.IsGet(method):
                await ListAsync(context, vault, apiVersion, "secrets", _state.List()
                    .Select(s => KeyVaultJson.Item($"{vault}/secrets/{s.Name}", s.Latest, _options.RecoverableDays)).ToList());
                return;
            case ["secrets", "restore"] when HttpMethods.IsPost(method):
                await NotSupportedAsync(context, "restore");
                return;
            case ["secrets", var name, ..] when !KeyVaultRules.IsValidName(name):
                await BadParameterAsync(context, $"The request URI contains an invalid name: {name}");
                return;
            case ["secrets", var name] when HttpMethods.IsPut(method):
                await SetAsync(context, vault, name);
                return;
            case ["secrets", var name] when HttpMethods.IsGet(method):
                await GetAsync(context, vault, name, version: null);
                return;
            case ["secrets", var name] when HttpMethods.IsDelete(method):
                await DeleteAsync(context, vault, name);
                return;
            case ["secrets", var name, "versions"] when HttpMethods.IsGet(method):
                await ListVersionsAsync(context, vault, apiVersion, name);
                return;
            case ["secrets", _, "backup"] when HttpMethods.IsPost(method):
                await NotSupportedAsync(context, "backup");
                return;
            case ["secrets", _, var version] when !KeyVaultRules.IsValidVersion(version):
                await BadParameterAsync(context, $"The request URI contains an invalid version: {version}");
                return;
            case ["secrets", var name, var version] when HttpMethods.IsGet(method):
                await GetAsync(context, vault, name, version);
                return;
            case ["secrets", var name, var version] when HttpMethods.IsPatch(method):
                await UpdateAsync(context, vault, name, version);
                return;
            case ["secrets", _] when HttpMethods.IsPatch(method):
                await NotSupportedAsync(context, "update without a version");
                return;
            case ["deletedsecrets"] when HttpMethods.IsGet(method):
                await ListAsync(context, vault, apiVersion, "deletedsecrets", _state.ListDeleted()
                    .Select(d => KeyVaultJson.Deleted(vault, d, _options.RecoverableDays, asListItem: true)).ToList());
                return;
            case ["deletedsecrets", var name, ..] when !KeyVaultRules.IsValidName(name):
                await BadParameterAsync(context, $"The request URI contains an invalid name: {name}");
                return;
            case ["deletedsecrets", var name] when HttpMethods.IsGet(method):
                await GetDeletedAsync(context, vault, name);
                return;
            case ["deletedsecrets", var name] when HttpMethods.IsDelete(method):
                if (_state.Purge(name))
                {
                    context.Response.StatusCode = StatusCodes.Status204NoContent;
                    return;
                }

                await WriteAsync(context, StatusCodes.Status404NotFound, KeyVaultJson.Error("SecretNotFound", $"Deleted Secret not found: {name}"));
                return;
            case ["deletedsecrets", var name, "recover"] when HttpMethods.IsPost(method):
                await RecoverAsync(context, vault, name);
                return;
            case ["secrets"] or ["secrets", _] or ["secrets", _, _] or ["deletedsecrets"] or ["deletedsecrets", _] or ["deletedsecrets", _, "recover"]:
                await WriteAsync(context, StatusCodes.Status405MethodNotAllowed,
                    KeyVaultJson.Error("MethodNotAllowed", $"The method {method} is not allowed on {request.Path}."));
                return;
            default:
                await WriteAsync(context, StatusCodes.Status404NotFound,
                    KeyVaultJson.Error("NotFound", "The requested URI does not represent any resource on the server."));
                return;
        }
    }

    private async Task SetAsync(HttpContext context, string vault, string name)
    {
        var body = await SecretBodyReader.ReadSetAsync(context);
        if (body.Error is not null)
        {
            await BadParameterAsync(context, body.Error);
            return;
        }

        var outcome = _state.Set(name, (version, now) => new SecretVersion(
            version, body.Value!, body.ContentType, body.Tags, body.Enabled, body.NotBefore, body.Expires, now, now), out var stored);
        if (outcome == KeyVaultState.SetOutcome.NameIsDeleted)
        {
            await WriteAsync(context, StatusCodes.Status409Conflict, KeyVaultJson.Error(
                "Conflict",
                $"Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.",
                "ObjectIsDeletedButRecoverable"));
            return;
        }

        await WriteAsync(context, StatusCodes.Status200OK, KeyVaultJson.Bundle(vault, stored!, stored!.Latest, _options.RecoverableDays, includeValue: true));
    }

    // Update Secret (https://learn.microsoft.com/rest/api/keyvault/secrets/update-secret/update-secret):
    // PATCH {vault}/secrets/{name}/{version} changes the attributes, content type and tags of one version;
    // "Attributes that are not specified in the request are left unchanged. The value of a secret itself
    // cannot be changed." The answer is the version's SecretBundle without its value (the reference's example).
    private async Task UpdateAsync(HttpContext context, string vault, string name, string version)
    {
        var body = await SecretBodyReader.ReadUpdateAsync(context);
        if (body.Error is not null)
        {
            await BadParameterAsync(context, body.Error);
            return;
        }

        var updated = _state.Update(name, version, (current, now) => current with
        {
            ContentType = body.ContentType ?? current.ContentType,
            Tags = body.Tags ?? current.Tags,
            Enabled = body.Enabled ?? current.Enabled,
            NotBefore = body.NotBefore ?? current.NotBefore,
            Expires = body.Expires ?? current.Expires,
            Updated = now,
        });
        if (updated is not { } found)
        {
            await WriteAsync(context, StatusCodes.Status404NotFound,
                KeyVaultJson.Error("SecretNotFound", $"A secret with (name/id) {name}/{version} was not found in this key vault. {NotFoundHelp}"));
            return;
        }

        await WriteAsync(context, StatusCodes.Status200OK, KeyVaultJson.Bundle(vault, found.Secret, found.Version, _options.RecoverableDays, includeValue: false));
    }

    private async Task GetAsync(HttpContext context, string vault, string name, string? version)
    {
        var secret = _state.Get(name);
        var found = version is null
            ? secret?.Latest
            : secret?.Versions.FirstOrDefault(v => string.Equals(v.Version, version, StringComparison.OrdinalIgnoreCase));
        if (secret is null || found is null)
        {
            var id = version is null ? name : $"{name}/{version}";
            await WriteAsync(context, StatusCodes.Status404NotFound,
                KeyVaultJson.Error("SecretNotFound", $"A secret with (name/id) {id} was not found in this key vault. {NotFoundHelp}"));
            return;
        }

        if (!found.Enabled)
        {
            await WriteAsync(context, StatusCodes.Status403Forbidden,
                KeyVaultJson.Error("Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled"));
            return;
        }

        await WriteAsync(context, StatusCodes.Status200OK, KeyVaultJson.Bundle(vault, secret, found, _options.RecoverableDays, includeValue: true));
    }

    private async Task DeleteAsync(HttpContext context, string vault, string name)
    {
        if (_state.Delete(name) is not { } deleted)
        {
            await WriteAsync(context, StatusCodes.Status404NotFound,
                KeyVaultJson.Error("SecretNotFound", $"A secret with (name/id) {name} was not found in this key vault. {NotFoundHelp}"));
            return;
        }

        await WriteAsync(context, StatusCodes.Status200OK, KeyVaultJson.Deleted(vault, deleted, _options.RecoverableDays, asListItem: false));
    }

    private async Task GetDeletedAsync(HttpContext context, string vault, string name)
    {
        if (_state.GetDeleted(name) is not { } deleted)
        {
            await WriteAsync(context, StatusCodes.Status404NotFound, KeyVaultJson.Error("SecretNotFound", $"Deleted Secret not found: {name}"));
            return;
        }

        await WriteAsync(context, StatusCodes.Status200OK, KeyVaultJson.Deleted(vault, deleted, _options.RecoverableDays, asListItem: false));
    }

    private async Task RecoverAsync(HttpContext context, string vault, string name)
    {
        if (_state.Recover(name) is not { } secret)
        {
            await WriteAsync(context, StatusCodes.Status404NotFound, KeyVaultJson.Error("SecretNotFound", $"Deleted Secret not found: {name}"));
            return;
        }

        await WriteAsync(context, StatusCodes.Status200OK, KeyVaultJson.Bundle(vault, secret, secret.Latest, _options.RecoverableDays, includeValue: false));
    }

    private async Task ListVersionsAsync(HttpContext context, string vault, string apiVersion, string name)
    {
        if (_state.Get(name) is not { } secret)
        {
            await WriteAsync(context, StatusCodes.Status404NotFound,
                KeyVaultJson.Error("SecretNotFound", $"A secret with (name/id) {name} was not found in this key vault. {NotFoundHelp}"));
            return;
        }

        await ListAsync(context, vault, apiVersion, $"secrets/{secret.Name}/versions", secret.Versions
            .Select(v => KeyVaultJson.Item($"{vault}/secrets/{secret.Name}/{v.Version}", v, _options.RecoverableDays)).ToList());
    }

    /// <summary>One page of <paramref name="items"/>, with a nextLink (absolute, carrying its own api-version) while more remain.</summary>
    private static async Task ListAsync(HttpContext context, string vault, string apiVersion, string collection, List<JsonObject> items)
    {
        var query = context.Request.Query;
        var pageSize = KeyVaultRules.MaxPageSize;
        if (query.TryGetValue("maxresults", out var maxResults))
        {
            if (maxResults.Count != 1 || !int.TryParse(maxResults[0], NumberStyles.None, CultureInfo.InvariantCulture, out pageSize)
                || pageSize < 1 || pageSize > KeyVaultRules.MaxPageSize)
            {
                await BadParameterAsync(context, $"Invalid maxresults: the value must be between 1 and {KeyVaultRules.MaxPageSize}.");
                return;
            }
        }

        var offset = 0;
        if (query.TryGetValue("$skiptoken", out var skipToken) && !SkipToken.TryRead(skipToken.ToString(), out offset))
        {
            await BadParameterAsync(context, "Invalid $skiptoken.");
            return;
        }

        var page = items.Skip(offset).Take(pageSize);
        string? nextLink = null;
        if (offset + pageSize < items.Count)
        {
            var token = SkipToken.Write(offset + pageSize);
            nextLink = $"{vault}/{collection}?api-version={Uri.EscapeDataString(apiVersion)}&$skiptoken={Uri.EscapeDataString(token)}"
                + (maxResults.Count == 1 ? $"&maxresults={pageSize}" : string.Empty);
        }

        await WriteAsync(context, StatusCodes.Status200OK, KeyVaultJson.Page(page, nextLink));
    }

    // Key Vault's throttling and error answers: https://learn.microsoft.com/azure/key-vault/general/overview-throttling
    // and https://learn.microsoft.com/azure/key-vault/general/rest-error-codes.
    private static Task WriteFaultAsync(HttpContext context, SimulatorFault fault)
    {
        if (fault.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return fault.StatusCode switch
        {
            StatusCodes.Status429TooManyRequests => WriteAsync(context, fault.StatusCode, KeyVaultJson.Error(
                "Throttled", "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached")),
            StatusCodes.Status403Forbidden => WriteAsync(context, fault.StatusCode, KeyVaultJson.Error(
                "Forbidden", "Caller is not authorized to perform action on resource. If role assignments were changed recently, please observe propagation time.",
                "ForbiddenByRbac")),
            StatusCodes.Status401Unauthorized => WriteAsync(context, fault.StatusCode, KeyVaultJson.Error("Unauthorized", "The access token is invalid.")),
            StatusCodes.Status503ServiceUnavailable => WriteAsync(context, fault.StatusCode, KeyVaultJson.Error(
                "ServiceUnavailable", "The service is temporarily unavailable. Please retry.")),
            _ => WriteAsync(context, fault.StatusCode, KeyVaultJson.Error("InternalServerError", "The server encountered an internal error. Please retry.")),
        };
    }

    private static Task NotSupportedAsync(HttpContext context, string operation) =>
        WriteAsync(context, StatusCodes.Status501NotImplemented,
            KeyVaultJson.Error("NotImplemented", $"The Key Vault simulator does not implement '{operation}'; nothing was changed."));

    private static Task BadParameterAsync(HttpContext context, string message) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, KeyVaultJson.Error("BadParameter", message));

    private static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
