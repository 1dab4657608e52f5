// Storage account for the Functions host (AzureWebJobsStorage, the deployment package container)
// and for DefenderSnow's tables. Shared keys are disabled: every caller uses Entra ID.
param name string
param location string = resourceGroup().location
param tags object = {}

@description('Deny public network access; network.bicep gives the account private endpoints.')
param networkIsolation bool = false

@description('Blob containers to create (the Flex Consumption deployment container).')
param containerNames array = []

@description('Queues to create (DefenderSnow\'s sync-integrations and integration-deletions).')
param queueNames array = []

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    dnsEndpointType: 'Standard'
    publicNetworkAccess: networkIsolation ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: networkIsolation ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobServices 'blobServices' = {
    name: 'default'

    resource containers 'containers' = [
      for containerName in containerNames: {
        name: containerName
        properties: {
          publicAccess: 'None'
        }
      }
    ]
  }

  resource queueServices 'queueServices' = {
    name: 'default'

    resource queues 'queues' = [
      for queueName in queueNames: {
        name: queueName
      }
    ]
  }
}

output id string = storage.id
output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
// Without the trailing slash, as DefenderSnow documents Storage:TableServiceUri.
output tableEndpoint string = 'https://${storage.name}.table.${environment().suffixes.storage}'
