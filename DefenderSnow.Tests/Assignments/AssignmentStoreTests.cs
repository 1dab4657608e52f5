using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Storage;
using DefenderSnow.Tests.Infrastructure;

namespace DefenderSnow.Tests.Assignments;

public sealed class AssignmentStoreTests
{
    private const string Resource = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1";
    private const string Assessment = "4fb67663-9ab9-475d-b026-8c544cced439";
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    private TableClientProvider _tables = null!;
    private AssignmentStore _store = null!;
    private string _integrationId = null!;

    [SetUp]
    public async Task SetUp()
    {
        _tables = await TestTables.CreateProviderAsync();
        _store = new AssignmentStore(_tables, new ContinuationTokenCodec(_tables));
        _integrationId = Guid.NewGuid().ToString("N");
    }

    [Test]
    public async Task Add_then_get_round_trips_every_field()
    {
        var assignment = NewAssignment() with
        {
            Ticket = new TicketReference("incident", "INC0010001", "abc", "https://x.service-now.com/incident.do?sys_id=abc", "New"),
            GracePeriod = true,
            EmailNotifications = new EmailNotifications(true, false),
            Status = AssignmentStatus.Active,
            LastSyncedAt = Now.AddHours(1),
        };

        await _store.AddAsync(assignment, CancellationToken.None);
        var read = await _store.GetAsync(_integrationId, assignment.Id, CancellationToken.None);

        Assert.That(read, Is.Not.Null);
        Assert.That(read!.Value, Is.EqualTo(assignment));
        Assert.That(read.ETag.ToString(), Is.Not.Empty);
    }

    [Test]
    public async Task A_second_live_assignment_for_the_same_finding_is_refused_and_leaves_no_row()
    {
        var first = NewAssignment();
        await _store.AddAsync(first, CancellationToken.None);
        // Same finding, spelled with other letter case: ARM ids are case-insensitive.
        var second = NewAssignment() with { ResourceId = Resource.ToUpperInvariant(), AssessmentName = Assessment.ToUpperInvariant() };

        var error = Assert.ThrowsAsync<FindingAlreadyAssignedException>(() => _store.AddAsync(second, CancellationToken.None));

        Assert.That(error!.ExistingAssignmentId, Is.EqualTo(first.Id));
        Assert.That(await _store.GetAsync(_integrationId, second.Id, CancellationToken.None), Is.Null, "the refused assignment must not be half-written");
        Assert.That(await CountRowsAsync(), Is.EqualTo(2), "one assignment row and one finding row");
    }

    [Test]
    public async Task Concurrent_adds_for_one_finding_leave_exactly_one_assignment()
    {
        var attempts = Enumerable.Range(0, 8).Select(_ => NewAssignment()).ToList();

        var results = await Task.WhenAll(attempts.Select(async a =>
        {
            try
            {
                await _store.AddAsync(a, CancellationToken.None);
                return true;
            }
            catch (FindingAlreadyAssignedException)
            {
                return false;
            }
        }));

        Assert.That(results.Count(r => r), Is.EqualTo(1));
        Assert.That(await CountRowsAsync(), Is.EqualTo(2));
    }

    [Test]
    public async Task Update_with_a_stale_etag_is_a_concurrency_error()
    {
        var stored = await _store.AddAsync(NewAssignment(), CancellationToken.None);
        var updated = await _store.UpdateAsync(stored with { Value = stored.Value with { AssignedTo = "new@contoso.com" } }, CancellationToken.None);

        Assert.ThrowsAsync<ConcurrencyException>(() => _store.UpdateAsync(stored with { Value = stored.Value with { AssignedTo = "late@contoso.com" } }, CancellationToken.None));
        var read = await _store.GetAsync(_integrationId, stored.Value.Id, CancellationToken.None);
        Assert.That(read!.Value.AssignedTo, Is.EqualTo("new@contoso.com"));
        Assert.That(read.ETag, Is.EqualTo(updated.ETag));
    }

    [Test]
    public async Task Close_frees_the_finding_for_a_new_assignment()
    {
        var stored = await _store.AddAsync(NewAssignment(), CancellationToken.None);

        var closed = await _store.CloseAsync(stored, ClosedReason.TicketResolved, Now.AddDays(1), CancellationToken.None);
        var next = NewAssignment();
        await _store.AddAsync(next, CancellationToken.None);

        Assert.That(closed.Value.Status, Is.EqualTo(AssignmentStatus.Closed));
        Assert.That(closed.Value.ClosedReason, Is.EqualTo(ClosedReason.TicketResolved));
        var live = await _store.FindLiveAsync(_integrationId, Assessment, Resource, CancellationToken.None);
        Assert.That(live!.Value.Id, Is.EqualTo(next.Id));
    }

    [Test]
    public async Task Close_with_a_stale_etag_changes_nothing()
    {
        var stored = await _store.AddAsync(NewAssignment(), CancellationToken.None);
        await _store.UpdateAsync(stored with { Value = stored.Value with { Status = AssignmentStatus.Active } }, CancellationToken.None);

        Assert.ThrowsAsync<ConcurrencyException>(() => _store.CloseAsync(stored, ClosedReason.Deleted, Now, CancellationToken.None));

        var live = await _store.FindLiveAsync(_integrationId, Assessment, Resource, CancellationToken.None);
        Assert.That(live!.Value.Status, Is.EqualTo(AssignmentStatus.Active), "the finding still points at the live assignment");
    }

    [Test]
    public async Task List_filters_and_pages()
    {
        for (var i = 0; i < 5; i++)
        {
            await _store.AddAsync(NewAssignment() with { ResourceId = $"{Resource}{i}" }, CancellationToken.None);
        }

        var closedOne = await _store.AddAsync(NewAssignment() with { ResourceId = $"{Resource}x" }, CancellationToken.None);
        await _store.CloseAsync(closedOne, ClosedReason.Deleted, Now, CancellationToken.None);

        var first = await _store.ListAsync(new AssignmentQuery(_integrationId, Status: AssignmentStatus.Pending), 3, null, CancellationToken.None);
        var second = await _store.ListAsync(new AssignmentQuery(_integrationId, Status: AssignmentStatus.Pending), 3, first.ContinuationToken, CancellationToken.None);
        var byResource = await _store.ListAsync(new AssignmentQuery(_integrationId, ResourceId: $"{Resource}2"), 10, null, CancellationToken.None);
        var live = new List<Versioned<Assignment>>();
        await foreach (var a in _store.ListLiveAsync(_integrationId, CancellationToken.None))
        {
            live.Add(a);
        }

        Assert.That(first.Items, Has.Count.EqualTo(3));
        Assert.That(first.ContinuationToken, Is.Not.Null);
        Assert.That(second.Items, Has.Count.EqualTo(2));
        Assert.That(first.Items.Concat(second.Items).Select(a => a.Id).Distinct().Count(), Is.EqualTo(5));
        Assert.That(byResource.Items.Single().ResourceId, Is.EqualTo($"{Resource}2"));
        Assert.That(live.Select(a => a.Value.Id).ToList(), Does.Not.Contain(closedOne.Value.Id).And.Count.EqualTo(5));
    }

    [Test]
    public async Task A_continuation_token_pages_only_the_listing_it_came_from_and_a_tampered_one_is_refused()
    {
        for (var i = 0; i < 3; i++)
        {
            await _store.AddAsync(NewAssignment() with { ResourceId = $"{Resource}{i}" }, CancellationToken.None);
        }

        var query = new AssignmentQuery(_integrationId, Status: AssignmentStatus.Pending);
        var first = await _store.ListAsync(query, 1, null, CancellationToken.None);
        var token = first.ContinuationToken!;
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];

        Assert.ThrowsAsync<ValidationException>(() => _store.ListAsync(query, 1, tampered, CancellationToken.None));
        Assert.ThrowsAsync<ValidationException>(() => _store.ListAsync(query with { Status = AssignmentStatus.Active }, 1, token, CancellationToken.None));
        Assert.ThrowsAsync<ValidationException>(() => _store.ListAsync(query, 1, "a raw storage token", CancellationToken.None));
        Assert.That((await _store.ListAsync(query, 1, token, CancellationToken.None)).Items, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_filter_value_with_quotes_cannot_widen_the_query()
    {
        await _store.AddAsync(NewAssignment(), CancellationToken.None);

        var page = await _store.ListAsync(new AssignmentQuery(_integrationId, ResourceId: "x' or PartitionKey ne 'y"), 10, null, CancellationToken.None);

        Assert.That(page.Items, Is.Empty);
    }

    [Test]
    public async Task A_group_the_integration_does_not_have_costs_one_point_read_and_no_scan()
    {
        var requests = new TableRequestLog();
        _tables = await TestTables.CreateProviderAsync(policy: requests);
        _store = new AssignmentStore(_tables, new ContinuationTokenCodec(_tables));
        var groupId = AssignmentId.New();
        var members = new[] { NewAssignment() with { GroupId = groupId }, NewAssignment() with { GroupId = groupId, ResourceId = Resource + "2" } };
        foreach (var member in members)
        {
            await _store.AddAsync(member, CancellationToken.None);
        }

        await _store.AddAsync(NewAssignment() with { ResourceId = Resource + "3" }, CancellationToken.None);
        await _store.CloseAsync((await _store.GetAsync(_integrationId, members[1].Id, CancellationToken.None))!, ClosedReason.TicketClosed, Now, CancellationToken.None);
        requests.Clear();

        // Another integration's ticket (or any id that is no group here): one point read, no query of the partition.
        Assert.That(await _store.ListLiveGroupAsync(_integrationId, AssignmentId.New(), CancellationToken.None), Is.Empty);
        Assert.That(requests.Sent, Has.Count.EqualTo(1));
        Assert.That(requests.Sent[0], Does.Not.Contain("$filter"));

        // A group of this integration: its live members.
        var live = await _store.ListLiveGroupAsync(_integrationId, groupId, CancellationToken.None);
        Assert.That(live.Select(m => m.Value.Id), Is.EqualTo(new[] { members[0].Id }));
    }

    private Assignment NewAssignment() => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        IntegrationId = _integrationId,
        AssessmentName = Assessment,
        ResourceId = Resource,
        Ticket = new TicketReference("incident"),
        AssignedTo = "owner@contoso.com",
        Caller = "secadmin@contoso.com",
        ShortDescription = "Machines should have vulnerability findings resolved",
        DueDate = Now.AddDays(30),
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    private async Task<int> CountRowsAsync()
    {
        var table = await _tables.GetAsync(Table.Assignments, CancellationToken.None);
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {_integrationId}")))
        {
            count++;
        }

        return count;
    }

    /// <summary>The requests the table clients send, as "METHOD path?query".</summary>
    private sealed class TableRequestLog : HttpPipelineSynchronousPolicy
    {
        private readonly List<string> _sent = [];

        public IReadOnlyList<string> Sent
        {
            get
            {
                lock (_sent)
                {
                    return [.. _sent];
                }
            }
        }

        public void Clear()
        {
            lock (_sent)
            {
                _sent.Clear();
            }
        }

        public override void OnSendingRequest(HttpMessage message)
        {
            lock (_sent)
            {
                _sent.Add($"{message.Request.Method} {Uri.UnescapeDataString(message.Request.Uri.ToUri().PathAndQuery)}");
            }
        }
    }
}
