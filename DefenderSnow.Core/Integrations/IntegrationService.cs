using DefenderSnow.Core.Access;
using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Secrets;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.ServiceNow.Instance;
using DefenderSnow.Core.Sla;
using DefenderSnow.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Integrations;

/// <summary>
/// Creates, reads, changes and deletes integrations. Credentials are proven against ServiceNow before
/// anything is stored, and every failure leaves Table Storage and Key Vault as they were.
/// </summary>
public sealed partial class IntegrationService
{
    /// <summary>The <c>top</c> of the list.</summary>
    public static readonly ListPageSize Paging = new(50);

    private readonly IIntegrationStore _store;
    private readonly ISecretStore _secrets;
    private readonly IServiceNowInstancePolicy _instances;
    private readonly IntegrationInstanceCheck _instanceCheck;
    private readonly IntegrationCredentialRotation _credentials;
    private readonly IntegrationDeletion _deletion;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<IntegrationService> _logger;

    public IntegrationService(
        IIntegrationStore store,
        ISecretStore secrets,
        IServiceNowInstancePolicy instances,
        IntegrationInstanceCheck instanceCheck,
        IntegrationCredentialRotation credentials,
        IntegrationDeletion deletion,
        TimeProvider timeProvider,
        ILogger<IntegrationService> logger)
    {
        _store = store;
        _secrets = secrets;
        _instances = instances;
        _instanceCheck = instanceCheck;
        _credentials = credentials;
        _deletion = deletion;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <param name="caller">Who asks, when App Service authentication says; recorded, never trusted for access.</param>
    /// <param name="access">What the caller may reach; it is put on the new integration's access list.</param>
    public async Task<Integration> CreateAsync(CreateIntegrationRequest request, string? caller, CallerAccess access, CancellationToken cancellationToken)
    {
        var check = new IntegrationValidation();
        var name = check.Name(request.Name);
        var scope = check.Scope(request.Scope);
        var instanceUrl = check.Capture(() => _instances.Validate(request.InstanceUrl));
        var username = check.Text("username", request.Username);
        var password = check.Secret("password", request.Password);
        var clientId = check.Text("clientId", request.ClientId);
        var clientSecret = check.Secret("clientSecret", request.ClientSecret);
        var mode = check.Mode(request.FieldMode) ?? FieldMode.Default;
        var onResourceHealthy = check.OnResourceHealthy(request.OnResourceHealthy) ?? ResourceHealthyAction.Note;
        var onDelete = check.OnDelete(request.OnDelete) ?? IntegrationDeletedAction.Note;
        var tables = IntegrationInstanceCheck.Tables(check, request.TicketTypes) ?? Integration.DefaultTicketTypes.Select(t => t.Table).ToList();
        var fields = check.Capture(() => TicketFields.Parse(request.Fields, tables));
        var priorities = check.Capture(() => TicketPriorities.Parse(request.TicketPriorities, TicketPriorities.Default));
        var accessList = check.Capture(() => AccessList.Parse(request.Access ?? []));
        var slaMatrix = request.SlaMatrix is null ? null : SlaMatrixParser.Parse(check, request.SlaMatrix);
        check.ThrowIfInvalid();

        // Cheap refusal before anything is written; the reservation below decides races.
        if (await _store.IsNameTakenAsync(scope!.Id, name!, cancellationToken).ConfigureAwait(false))
        {
            throw new ConflictException($"An integration named '{name}' already exists in scope '{scope.Id}'.");
        }

        // The name is held before ServiceNow is asked or any secret is written, so a create that loses a
        // race writes nothing: every secret written would outlive it, soft-deleted, for the vault's retention.
        var reservation = await _store.ReserveNameAsync(scope.Id, name!, Guid.NewGuid().ToString("N"), cancellationToken).ConfigureAwait(false);
        if (reservation.AbandonedIntegrationId is { } abandoned)
        {
            LogReservationTakenOver(_logger, abandoned);
            await RemoveSecretsAsync(abandoned, Enum.GetValues<IntegrationSecret>(), "of an abandoned create").ConfigureAwait(false);
        }

        var written = new List<IntegrationSecret>();
        Integration integration;
        ServiceNowInstanceSchema? schema;
        try
        {
            // Proves the credentials, reads the instance's choices and fields for the tables and checks the mappings
            // against them: a refusal (422) comes before any secret or row is written.
            (var verified, var mappings) = await _instanceCheck.VerifyAsync(
                new ServiceNowCredentials(instanceUrl!, username!, password!, clientId!, clientSecret!, tables), request.TicketTypes, cancellationToken).ConfigureAwait(false);

            schema = verified.Instance;
            var now = _timeProvider.GetUtcNow();
            integration = new Integration
            {
                Id = reservation.IntegrationId,
                Name = name!,
                Scope = scope,
                InstanceUrl = instanceUrl!,
                Username = username!,
                ClientId = clientId!,
                ServiceNowTimeZone = verified.TimeZone,
                TicketTypes = mappings,
                Warnings = verified.Instance?.Warnings ?? [],
                InstanceReadAt = verified.Instance?.ReadAt,
                ServiceNowQueryDates = verified.QueryDates,
                FieldMode = mode,
                Fields = fields!,
                TicketPriorities = priorities!,
                SlaMatrix = slaMatrix,
                OnResourceHealthy = onResourceHealthy,
                OnDelete = onDelete,
                Access = AccessList.WithCreator(accessList!, access),
                Status = IntegrationStatus.Connected,
                CreatedAt = now,
                CreatedBy = caller,
                UpdatedAt = now,
                UpdatedBy = caller,
            };

            // The binding last, once the credentials it binds are stored: they were just proven against this instance.
            foreach (var (secret, value) in new[]
            {
                (IntegrationSecret.Password, password!),
                (IntegrationSecret.ClientSecret, clientSecret!),
                (IntegrationSecret.RefreshToken, verified.RefreshToken),
                (IntegrationSecret.InstanceBinding, InstanceBinding.ValueFor(integration.Id, instanceUrl!)),
            })
            {
                await _secrets.SetAsync(integration.Id, secret, value, cancellationToken).ConfigureAwait(false);
                written.Add(secret);
            }

            await _store.AddAsync(integration, reservation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            await RemoveSecretsAsync(reservation.IntegrationId, written, "after a failed create").ConfigureAwait(false);
            await ReleaseNameAsync(reservation).ConfigureAwait(false);
            throw;
        }

        await SaveInstanceAsync(integration.Id, schema).ConfigureAwait(false);
        LogCreated(_logger, integration.Id, integration.Name, integration.Scope.Type, integration.Scope.Id, integration.InstanceUrl, caller ?? "an unnamed caller");
        return integration;
    }

    public async Task<Integration> GetAsync(string id, CallerAccess access, CancellationToken cancellationToken) =>
        (await LoadAsync(id, access, cancellationToken).ConfigureAwait(false)).Value;

    /// <param name="scopeId">Only integrations of this scope (compared without case), or all when null.</param>
    /// <returns>Only the integrations the caller may reach: a page can hold fewer than asked, and still go on.</returns>
    public async Task<ResultPage<Integration>> ListAsync(string? scopeId, int? pageSize, string? continuationToken, CallerAccess access, CancellationToken cancellationToken)
    {
        var size = Paging.Require(pageSize);

        if (scopeId is not null && (scopeId.Length is 0 or > 1024 || scopeId.Any(char.IsControl)))
        {
            throw new ValidationException("scope", "Must be the ARM id of a scope.");
        }

        var page = await _store.ListAsync(scopeId?.TrimEnd('/'), size, continuationToken, cancellationToken).ConfigureAwait(false);
        return page with { Items = page.Items.Where(i => IntegrationAccess.Allows(i, access)).ToList() };
    }

    /// <summary>
    /// Renames, changes fields, or replaces credentials. New credentials are proven and stored before
    /// they replace the old ones; until then the old ones keep working.
    /// </summary>
    public async Task<Integration> UpdateAsync(string id, UpdateIntegrationRequest request, string? caller, CallerAccess access, CancellationToken cancellationToken)
    {
        var current = await LoadAsync(id, access, cancellationToken).ConfigureAwait(false);
        var integration = current.Value;

        var check = new IntegrationValidation();
        if (request.Scope is not null)
        {
            check.Add("scope", "Cannot be changed: the assignments of an integration belong to its scope. Create a new integration instead.");
        }

        if (request.InstanceUrl is not null && !SameInstance(request.InstanceUrl, integration.InstanceUrl))
        {
            check.Add("instanceUrl", "Cannot be changed: existing tickets live on the current instance. Create a new integration instead.");
        }

        var name = check.Name(request.Name, required: false);
        var username = check.Text("username", request.Username, required: false);
        var password = check.Secret("password", request.Password, required: false);
        var clientId = check.Text("clientId", request.ClientId, required: false);
        var clientSecret = check.Secret("clientSecret", request.ClientSecret, required: false);
        var mode = check.Mode(request.FieldMode);
        var onResourceHealthy = check.OnResourceHealthy(request.OnResourceHealthy);
        var onDelete = check.OnDelete(request.OnDelete);
        var tables = IntegrationInstanceCheck.Tables(check, request.TicketTypes);
        var fields = request.Fields is null ? null : check.Capture(() => TicketFields.Parse(request.Fields, tables ?? integration.TicketTableNames));
        var priorities = request.TicketPriorities is null ? null : check.Capture(() => TicketPriorities.Parse(request.TicketPriorities, integration.TicketPriorities));
        var accessList = request.Access is null ? null : check.Capture(() => AccessList.Parse(request.Access));
        var slaMatrix = request.SlaMatrix is null ? integration.SlaMatrix : SlaMatrixParser.Parse(check, request.SlaMatrix);
        check.ThrowIfInvalid();

        if (integration.DeletionStartedAt is not null)
        {
            throw new ConflictException($"Integration '{id}' is being deleted; repeat the delete to finish it.");
        }

        if (name is not null && !string.Equals(name, integration.Name, StringComparison.OrdinalIgnoreCase)
            && await _store.IsNameTakenAsync(integration.Scope.Id, name, cancellationToken).ConfigureAwait(false))
        {
            throw new ConflictException($"An integration named '{name}' already exists in scope '{integration.Scope.Id}'.");
        }

        // New ticket types are read from the instance (with the stored credentials) and checked before anything changes.
        IReadOnlyList<TicketTypeMapping>? mappings = null;
        ServiceNowInstanceSchema? schema = null;
        if (tables is not null)
        {
            (schema, mappings) = await _instanceCheck.ReadAsync(integration, tables, request.TicketTypes, cancellationToken).ConfigureAwait(false);
        }

        var updated = integration with
        {
            TicketTypes = mappings ?? integration.TicketTypes,
            Warnings = schema?.Warnings ?? integration.Warnings,
            InstanceReadAt = schema?.ReadAt ?? integration.InstanceReadAt,
            Name = name ?? integration.Name,
            Username = username ?? integration.Username,
            ClientId = clientId ?? integration.ClientId,
            FieldMode = mode ?? integration.FieldMode,
            // Tables added without fields listed get the default (the description); tables removed drop theirs.
            Fields = fields ?? (tables is null ? integration.Fields : new TicketFields(tables.ToDictionary(
                t => t, t => integration.Fields.ByTable.TryGetValue(t, out var kept) ? kept : TicketFields.DefaultFor([t]).For(t)))),
            TicketPriorities = priorities ?? integration.TicketPriorities,
            SlaMatrix = slaMatrix,
            OnResourceHealthy = onResourceHealthy ?? integration.OnResourceHealthy,
            OnDelete = onDelete ?? integration.OnDelete,
            Access = accessList ?? integration.Access,
            UpdatedAt = _timeProvider.GetUtcNow(),
            UpdatedBy = caller,
        };

        Integration result;
        if (!ChangesCredentials(request))
        {
            result = (await _store.UpdateAsync(current with { Value = updated }, integration.Name, cancellationToken).ConfigureAwait(false)).Value;
        }
        else
        {
            result = await _credentials.ReplaceAsync(current, updated, password, clientSecret, cancellationToken).ConfigureAwait(false);
        }

        await SaveInstanceAsync(result.Id, schema).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Removes every assignment (Defender's governance assignments too), then the secrets, then the
    /// integration; see <see cref="IntegrationDeletion"/>. Each step can be repeated, so a delete that was
    /// interrupted finishes when asked again.
    /// </summary>
    /// <returns>Null when it finished; otherwise the integration, <c>deleting</c>, whose delete goes on in the background.</returns>
    public async Task<Integration?> DeleteAsync(string id, CallerAccess access, CancellationToken cancellationToken) =>
        await _deletion.StartAsync(await LoadAsync(id, access, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>A request body member, so deliberately not a member of the request record.</summary>
    private static bool ChangesCredentials(UpdateIntegrationRequest request) =>
        request.Username is not null || request.Password is not null || request.ClientId is not null || request.ClientSecret is not null;

    /// <summary>The one load of this service: an integration the caller is not on the list of is not found.</summary>
    private async Task<Versioned<Integration>> LoadAsync(string id, CallerAccess access, CancellationToken cancellationToken)
    {
        var loaded = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Integration", id);
        IntegrationAccess.Require(loaded.Value, access, () => new NotFoundException("Integration", id));
        return loaded;
    }

    private static bool SameInstance(string requested, Uri current) =>
        Uri.TryCreate(requested.Trim(), UriKind.Absolute, out var uri)
        && Uri.Compare(uri, current, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
        && uri.AbsolutePath is "/" or "";

    /// <summary>Keeps what was read; a failure is logged, never the caller's (the next full pass reads and keeps it again).</summary>
    private async Task SaveInstanceAsync(string integrationId, ServiceNowInstanceSchema? schema)
    {
        if (schema is null)
        {
            return;
        }

        try
        {
            await _instanceCheck.SaveAsync(integrationId, schema, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogInstanceNotSaved(_logger, e, integrationId);
        }
    }

    private Task RemoveSecretsAsync(string integrationId, IReadOnlyList<IntegrationSecret> secrets, string why) =>
        IntegrationSecretRemoval.RemoveAsync(_secrets, _logger, integrationId, secrets, why);

    private async Task ReleaseNameAsync(NameReservation reservation)
    {
        try
        {
            await _store.ReleaseNameAsync(reservation, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Not fatal: a reservation nobody finishes is taken over once it is stale.
            LogReservationNotReleased(_logger, e, reservation.IntegrationId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Took over the name reservation of integration {AbandonedIntegrationId}, whose create never finished")]
    private static partial void LogReservationTakenOver(ILogger logger, string abandonedIntegrationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Integration {IntegrationId} '{IntegrationName}' created for {ScopeType} {ScopeId} on {InstanceUrl} by {Caller}")]
    private static partial void LogCreated(ILogger logger, string integrationId, string integrationName, ScopeType scopeType, string scopeId, Uri instanceUrl, string caller);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not keep what was read of the instance of integration {IntegrationId}; the next full pass reads it again")]
    private static partial void LogInstanceNotSaved(ILogger logger, Exception exception, string integrationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not release the name reservation of integration {IntegrationId} after a failed create")]
    private static partial void LogReservationNotReleased(ILogger logger, Exception exception, string integrationId);
}
