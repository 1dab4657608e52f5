// Role assignments inside the resource group. The identity's custom Defender role (defender-role.bicep)
// on the Defender scopes (subscriptions / management groups) lies outside this template: see infra/README.md.
param storageAccountName string
param keyVaultName string
param applicationInsightsName string

@description('Name of the function app\'s user-assigned managed identity.')
param appIdentityName string

@description('Blob containers the Functions host uses: its own (azure-webjobs-hosts, azure-webjobs-secrets) and the deployment package container.')
param hostContainerNames array

@description('Optional developer principal granted table and secret access; empty for none.')
param developerPrincipalId string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param developerPrincipalType string = 'User'

// Built-in role definition ids.
var roles = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: appIdentityName
}

// Assignment names derive from the identity's resource id (known before deployment), not from its
// principal id, so What-If can predict them.
var appPrincipalId = appIdentity.properties.principalId

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: keyVaultName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// The app's queues and tables: the whole account (queues and tables are DefenderSnow's own).
var storageRoles = [
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource appStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRoles: {
    name: guid(storage.id, appIdentity.id, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource blobServices 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' existing = {
  parent: storage
  name: 'default'
}

resource hostContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' existing = [
  for containerName in hostContainerNames: {
    parent: blobServices
    name: containerName
  }
]

// Blobs: Storage Blob Data Contributor on the host's containers only, not Blob Data Owner on the account.
// https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity
// names Blob Data Owner for "the basic needs of Functions host storage" (read/write blobs, create
// containers); what Owner adds over Contributor is ACL and ownership management of Data Lake
// (hierarchical namespace) blobs, which this account does not have. The host's blobs live in
// azure-webjobs-hosts (timer schedule status, locks, host id) and azure-webjobs-secrets (function keys);
// Flex Consumption reads the package from the deployment container with this identity
// (https://learn.microsoft.com/azure/azure-functions/flex-consumption-how-to#configure-deployment-settings).
// storage.bicep creates all three, so the host never needs to create a container and no other blob
// container on the account is readable by the app.
resource appBlobRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (containerName, i) in hostContainerNames: {
    name: guid(storage.id, containerName, appIdentity.id, roles.storageBlobDataContributor)
    scope: hostContainers[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Integration secrets and refresh tokens: read, write, delete.
resource appVaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appIdentity.id, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Entra ID-authenticated telemetry ingestion (the component has local authentication off).
resource appTelemetryRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appIdentity.id, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource developerTableRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(developerPrincipalId)) {
  name: guid(storage.id, developerPrincipalId, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: developerPrincipalId
    principalType: developerPrincipalType
  }
}

resource developerVaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(developerPrincipalId)) {
  name: guid(vault.id, developerPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: developerPrincipalId
    principalType: developerPrincipalType
  }
}
