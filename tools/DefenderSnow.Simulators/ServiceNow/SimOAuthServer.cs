using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>ServiceNow's OAuth server: registered clients, the password and refresh grants, token lifespans and revocation.</summary>
internal sealed class SimOAuthServer
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _passwords = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Grant> _accessTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Grant> _refreshTokens = new(StringComparer.Ordinal);
    private readonly SimDatabase _database;
    private readonly TimeProvider _timeProvider;
    private ServiceNowTokenSettings _settings;

    public SimOAuthServer(SimDatabase database, ServiceNowSimulatorOptions options)
    {
        _database = database;
        _timeProvider = options.TimeProvider;
        _settings = new ServiceNowTokenSettings(options.AccessTokenLifespan, options.RefreshTokenLifespan, options.RefreshTokenRotation);
    }

    private DateTimeOffset Now => _timeProvider.GetUtcNow();

    /// <summary>Lifespans and rotation of tokens issued from now on; tokens already issued keep theirs.</summary>
    public ServiceNowTokenSettings Settings
    {
        get { lock (_lock) { return _settings; } }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.AccessTokenLifespan < TimeSpan.FromSeconds(2) || value.RefreshTokenLifespan < TimeSpan.FromSeconds(1))
            {
                throw new ArgumentException("Token lifespans are whole seconds: at least 2 s for access tokens (expires_in is one less) and 1 s for refresh tokens.");
            }

            lock (_lock)
            {
                _settings = value;
            }
        }
    }

    public void RegisterClient(string clientId, string clientSecret)
    {
        lock (_lock)
        {
            _clients[clientId] = clientSecret;
        }
    }

    public void SetPassword(string userSysId, string password)
    {
        lock (_lock)
        {
            _passwords[userSysId] = password;
        }
    }

    /// <summary>The token answer, or <c>null</c> for ServiceNow's undifferentiated 401.</summary>
    public JsonObject? Exchange(IReadOnlyDictionary<string, string> form)
    {
        var clientId = form.GetValueOrDefault("client_id");
        var clientSecret = form.GetValueOrDefault("client_secret");
        lock (_lock)
        {
            if (clientId is null || !_clients.TryGetValue(clientId, out var expectedSecret) || !FixedTimeEquals(expectedSecret, clientSecret))
            {
                return null;
            }

            switch (form.GetValueOrDefault("grant_type"))
            {
                case "password":
                    {
                        var user = form.GetValueOrDefault("username") is { } userName ? _database.FindUser(userName) : null;
                        if (user is null || user["active"] != "true" || !_passwords.TryGetValue(user["sys_id"], out var password)
                            || !FixedTimeEquals(password, form.GetValueOrDefault("password")))
                        {
                            return null;
                        }

                        var refresh = Issue(_refreshTokens, clientId, user["sys_id"], _settings.RefreshTokenLifespan);
                        return Answer(Issue(_accessTokens, clientId, user["sys_id"], _settings.AccessTokenLifespan), refresh);
                    }

                case "refresh_token":
                    {
                        var presented = form.GetValueOrDefault("refresh_token");
                        if (presented is null || !_refreshTokens.TryGetValue(presented, out var grant) || grant.ClientId != clientId
                            || grant.Revoked || grant.ExpiresAt <= Now || _database.Get("sys_user", grant.UserSysId)?["active"] != "true")
                        {
                            return null;
                        }

                        var access = Issue(_accessTokens, clientId, grant.UserSysId, _settings.AccessTokenLifespan);
                        switch (_settings.RefreshTokenRotation)
                        {
                            case RefreshTokenRotation.Rotate:
                                grant.Revoked = true;
                                return Answer(access, Issue(_refreshTokens, clientId, grant.UserSysId, _settings.RefreshTokenLifespan));
                            case RefreshTokenRotation.Omit:
                                return Answer(access, null);
                            default:
                                return Answer(access, presented);
                        }
                    }

                default:
                    return null;
            }
        }
    }

    /// <summary>The user a bearer token belongs to, or <c>null</c> when it is missing, unknown, expired or revoked.</summary>
    public string? Authenticate(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return null;
        }

        lock (_lock)
        {
            if (!_accessTokens.TryGetValue(authorization["Bearer ".Length..].Trim(), out var grant) || grant.Revoked || grant.ExpiresAt <= Now)
            {
                return null;
            }

            return _database.Get("sys_user", grant.UserSysId)?["active"] == "true" ? grant.UserSysId : null;
        }
    }

    /// <summary>Marks an access or refresh token expired, as <c>/oauth_revoke_token.do</c> does; an unknown token changes nothing.</summary>
    public void Revoke(string token)
    {
        lock (_lock)
        {
            if (_accessTokens.TryGetValue(token, out var access))
            {
                access.Revoked = true;
            }

            if (_refreshTokens.TryGetValue(token, out var refresh))
            {
                refresh.Revoked = true;
            }
        }
    }

    public bool IsRefreshTokenLive(string token)
    {
        lock (_lock)
        {
            return _refreshTokens.TryGetValue(token, out var grant) && !grant.Revoked && grant.ExpiresAt > Now;
        }
    }

    public void ExpireAccessTokens() => ExpireAll(_accessTokens);

    public void ExpireRefreshTokens() => ExpireAll(_refreshTokens);

    private void ExpireAll(Dictionary<string, Grant> tokens)
    {
        lock (_lock)
        {
            foreach (var grant in tokens.Values)
            {
                grant.Revoked = true;
            }
        }
    }

    private string Issue(Dictionary<string, Grant> tokens, string clientId, string userSysId, TimeSpan lifespan)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        tokens[token] = new Grant(clientId, userSysId, Now + lifespan);
        return token;
    }

    private JsonObject Answer(string accessToken, string? refreshToken)
    {
        var answer = new JsonObject
        {
            ["access_token"] = accessToken,
            ["scope"] = "useraccount",
            ["token_type"] = "Bearer",
            ["expires_in"] = (long)_settings.AccessTokenLifespan.TotalSeconds - 1,
        };
        if (refreshToken is not null)
        {
            answer["refresh_token"] = refreshToken;
        }

        return answer;
    }

    private static bool FixedTimeEquals(string expected, string? actual) =>
        actual is not null && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(expected), System.Text.Encoding.UTF8.GetBytes(actual));

    private sealed class Grant(string clientId, string userSysId, DateTimeOffset expiresAt)
    {
        public string ClientId { get; } = clientId;

        public string UserSysId { get; } = userSysId;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public bool Revoked { get; set; }
    }
}
