// Flex Consumption plan and the DefenderSnow function app (dotnet-isolated, Linux).
// Flex Consumption sets the worker runtime and host version itself: FUNCTIONS_WORKER_RUNTIME and
// FUNCTIONS_EXTENSION_VERSION must not appear in the app settings.
param name string
param planName string
param location string = resourceGroup().location
param tags object = {}

@description('azd service name this app deploys (azure.yaml).')
param serviceName string = 'api'

param dotnetVersion string = '10.0'
param maximumInstanceCount int = 100
param instanceMemoryMB int = 2048

@description('Resource id of the user-assigned managed identity.')
param identityId string

@description('Client id of the user-assigned managed identity.')
param identityClientId string

param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string

// DefenderSnow's own settings (":" in the configuration key is "__" in an app setting).
@description('Storage:TableServiceUri, e.g. https://<account>.table.core.windows.net')
param tableServiceUri string

@description('KeyVault:VaultUri, e.g. https://<vault>.vault.azure.net/')
param keyVaultUri string

@description('Defender:Endpoint, Resource Manager of the cloud this deploys to.')
param defenderEndpoint string

@description('Defender:Audience, the token audience for Resource Manager.')
param defenderAudience string

@description('ServiceNow:AllowedHosts:0, a host name or *.domain pattern.')
param serviceNowAllowedHost string

@description('SyncSchedule, NCRONTAB with seconds.')
param syncSchedule string

@description('Client id of the Entra ID app registration that signs callers in and carries the app roles.')
param authClientId string

@description('Storage:QueueServiceUri, e.g. https://<account>.queue.core.windows.net/ (the same account as the tables).')
param queueServiceUri string

@description('SyncIntegrationsQueue.')
param syncQueueName string

@description('IntegrationDeletionsQueue.')
param deletionQueueName string

@description('TicketEventsQueue.')
param ticketEventQueueName string

@description('Subnet (delegated to Microsoft.App/environments) for outbound virtual network integration; empty for none.')
param appSubnetId string = ''

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // With networkIsolation the app reaches storage and Key Vault through their private endpoints.
    virtualNetworkSubnetId: empty(appSubnetId) ? null : appSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: {
      // Functions host: identity-based AzureWebJobsStorage (no keys) and Entra ID telemetry ingestion.
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
      AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

      // DefenderSnow: one credential (the user-assigned identity) for tables, Key Vault and Resource Manager.
      Azure__Credential: 'ManagedIdentity'
      Azure__ManagedIdentityClientId: identityClientId
      Storage__TableServiceUri: tableServiceUri
      KeyVault__VaultUri: keyVaultUri
      Defender__Endpoint: defenderEndpoint
      Defender__Audience: defenderAudience
      ServiceNow__AllowedHosts__0: serviceNowAllowedHost
      Storage__QueueServiceUri: queueServiceUri
      SyncIntegrationsQueue: syncQueueName
      IntegrationDeletionsQueue: deletionQueueName
      TicketEventsQueue: ticketEventQueueName
      SyncSchedule: syncSchedule

      // Every endpoint but health requires an app role from the principal App Service authentication sets.
      Authorization__RequireRoles: 'true'
    }
  }

  // App Service authentication (Entra ID): every route but health and the ticket events needs a valid token
  // for this app registration; the platform strips client-sent principal headers and sets its own, which is
  // what makes Authorization__RequireRoles trustworthy. Function keys stay required on top. ServiceNow cannot
  // sign in with Entra ID: ReceiveTicketEvent (anonymous, exempt from the role check) authenticates each
  // request by its HMAC signature with the integration's webhook secret instead.
  // excludedPaths takes exact paths and paths ending in '/*' ("/path1", "/path3/subpath/*" in the file-based
  // configuration reference, https://learn.microsoft.com/azure/app-service/configure-authentication-file-based;
  // the product team's answer in https://github.com/MicrosoftDocs/azure-docs/issues/86514); a '*' anywhere else
  // is undocumented, hence the ticket events' own prefix. EasyAuthExclusionTests holds every entry to those two
  // forms and every anonymous route to lying under one.
  resource authentication 'config' = {
    name: 'authsettingsV2'
    properties: {
      platform: {
        enabled: true
      }
      globalValidation: {
        requireAuthentication: true
        unauthenticatedClientAction: 'Return401'
        excludedPaths: [
          '/api/health'
          '/api/ticket-events/*'
        ]
      }
      httpSettings: {
        requireHttps: true
      }
      identityProviders: {
        azureActiveDirectory: {
          enabled: true
          registration: {
            clientId: authClientId
            openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
          }
          validation: {
            allowedAudiences: [
              'api://${authClientId}'
              authClientId
            ]
          }
        }
      }
      login: {
        tokenStore: {
          enabled: false
        }
      }
    }
  }

  // No FTP and no basic-auth publishing: azd deploys with Entra ID.
  resource ftpCredentials 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scmCredentials 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

output id string = site.id
output name string = site.name
output uri string = 'https://${site.properties.defaultHostName}'
