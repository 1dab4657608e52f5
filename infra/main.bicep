// DefenderSnow: Azure deployment for the Azure Developer CLI (`azd up`) or `az deployment sub create`.
// Flex Consumption Function App (dotnet-isolated 10.0) with a user-assigned managed identity,
// identity-based storage (no shared keys), Key Vault (RBAC, purge protection), Application Insights
// on a Log Analytics workspace with Entra ID ingestion. See README.md beside this file.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used to name the resource group and to derive a unique token for resource names.')
param environmentName string

@minLength(1)
@description('Region for all resources. It must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group name; empty for rg-<environmentName>.')
param resourceGroupName string = ''

@description('Function app name; empty for a generated one.')
param functionAppName string = ''

@description('Storage account name; empty for a generated one.')
param storageAccountName string = ''

@description('Key Vault name; empty for a generated one.')
param keyVaultName string = ''

@description('ServiceNow instance host the app may call (ServiceNow:AllowedHosts:0): name your exact instance, for example contoso.service-now.com. No default: any host allowed here is one an integration manager can send findings and credentials to (issue 26).')
@minLength(1)
param serviceNowAllowedHost string

@description('NCRONTAB schedule of the synchronization timer (SyncSchedule), six fields, UTC.')
param syncSchedule string = '0 0 2 * * *'

@minLength(1)
@description('Client id (application id) of the Entra ID app registration whose app roles (infra/app-roles.json) say who may call the API; infra/README.md creates it.')
param authClientId string

@description('Queue of SyncIntegration, one message per integration per run (app setting SyncIntegrationsQueue).')
param syncQueueName string = 'sync-integrations'

@description('Queue of CompleteIntegrationDeletion (app setting IntegrationDeletionsQueue).')
param deletionQueueName string = 'integration-deletions'

@description('Queue of ApplyTicketEvent, one message per burst of ServiceNow ticket events for one ticket (app setting TicketEventsQueue).')
param ticketEventQueueName string = 'ticket-events'

@description('.NET version of the dotnet-isolated worker on Flex Consumption.')
@allowed([
  '8.0'
  '9.0'
  '10.0'
])
param dotnetVersion string = '10.0'

@description('Upper bound of Flex Consumption instances.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory of each Flex Consumption instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Object id of a developer (or CI principal) to grant data access to the tables and secrets, for runs from a workstation against this deployment. azd fills it with the signed-in user; used only when grantDeveloperAccess is true.')
param principalId string = ''

@description('Type of principalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Grant principalId Storage Table Data Contributor and Key Vault Secrets Officer. Off by default: production needs no human data access.')
param grantDeveloperAccess bool = false

@description('Deny public network access to storage and Key Vault and reach them through private endpoints in a virtual network the function app integrates with (infra/README.md). Off by default.')
param networkIsolation bool = false

@description('Scopes besides this subscription where the Defender role may be assigned: /subscriptions/<id> or one /providers/Microsoft.Management/managementGroups/<id>.')
param defenderRoleAssignableScopes array = []

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'DefenderSnow'
}
var appName = !empty(functionAppName) ? functionAppName : 'func-defendersnow-${resourceToken}'
var deploymentContainerName = 'app-package-${take(toLower(appName), 32)}-${take(resourceToken, 7)}'
// The Functions host's own containers are created here, so its identity needs no container-create
// right on the account (rbac.bicep grants blob access on these three only).
var hostContainerNames = [
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
  deploymentContainerName
]
var identityName = 'id-defendersnow-${resourceToken}'
var storageName = !empty(storageAccountName) ? storageAccountName : 'st${resourceToken}'
var vaultName = !empty(keyVaultName) ? keyVaultName : 'kv-${resourceToken}'
var applicationInsightsName = 'appi-${resourceToken}'

// environment() makes the template work in sovereign clouds too.
var resourceManagerEndpoint = environment().resourceManager
var resourceManagerAudience = endsWith(resourceManagerEndpoint, '/')
  ? substring(resourceManagerEndpoint, 0, max(length(resourceManagerEndpoint) - 1, 0))
  : resourceManagerEndpoint

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'core/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module monitoring 'core/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
  }
}

module storage 'core/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: storageName
    location: location
    tags: tags
    networkIsolation: networkIsolation
    containerNames: hostContainerNames
    queueNames: [
      syncQueueName
      deletionQueueName
      ticketEventQueueName
    ]
  }
}

module keyVault 'core/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: vaultName
    location: location
    tags: tags
    networkIsolation: networkIsolation
  }
}

module network 'core/network.bicep' = if (networkIsolation) {
  name: 'network'
  scope: rg
  dependsOn: [
    storage
    keyVault
  ]
  params: {
    name: 'vnet-${resourceToken}'
    location: location
    tags: tags
    storageAccountName: storageName
    keyVaultName: vaultName
  }
}

// The custom role the identity gets on the Defender scopes (assigned after deployment, infra/README.md).
module defenderRole 'app/defender-role.bicep' = {
  name: 'defender-role'
  params: {
    nameSuffix: '${environmentName}-${take(resourceToken, 7)}'
    additionalAssignableScopes: defenderRoleAssignableScopes
  }
}

// Names (not module outputs) go into the modules below, so What-If can predict them; the explicit
// dependsOn keeps the order.
module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  dependsOn: [
    identity
    monitoring
    storage
    keyVault
  ]
  params: {
    storageAccountName: storageName
    keyVaultName: vaultName
    applicationInsightsName: applicationInsightsName
    appIdentityName: identityName
    hostContainerNames: hostContainerNames
    developerPrincipalId: grantDeveloperAccess ? principalId : ''
    developerPrincipalType: principalType
  }
}

module functionApp 'app/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  // The host reaches storage with the identity at start-up: let the roles exist first.
  dependsOn: [
    rbac
    monitoring
  ]
  params: {
    name: appName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    serviceName: 'api'
    dotnetVersion: dotnetVersion
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storageName
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: applicationInsightsName
    tableServiceUri: storage.outputs.tableEndpoint
    queueServiceUri: storage.outputs.queueEndpoint
    syncQueueName: syncQueueName
    deletionQueueName: deletionQueueName
    ticketEventQueueName: ticketEventQueueName
    keyVaultUri: keyVault.outputs.vaultUri
    defenderEndpoint: resourceManagerEndpoint
    defenderAudience: resourceManagerAudience
    serviceNowAllowedHost: serviceNowAllowedHost
    syncSchedule: syncSchedule
    authClientId: authClientId
    appSubnetId: networkIsolation ? network!.outputs.appSubnetId : ''
  }
}

module diagnostics 'core/diagnostics.bicep' = {
  name: 'diagnostics'
  scope: rg
  dependsOn: [
    functionApp
  ]
  params: {
    logAnalyticsName: monitoring.outputs.logAnalyticsName
    functionAppName: appName
    keyVaultName: vaultName
    storageAccountName: storageName
  }
}

// Outputs azd stores in .azure/<env>/.env
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URI string = functionApp.outputs.uri
output AZURE_FUNCTION_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_FUNCTION_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URI string = keyVault.outputs.vaultUri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_DEFENDER_ROLE_NAME string = defenderRole.outputs.name
output AZURE_DEFENDER_ROLE_ID string = defenderRole.outputs.id
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.applicationInsightsConnectionString
