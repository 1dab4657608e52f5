// Diagnostic settings: the function app's, Key Vault's and the storage services' resource logs and
// metrics go to the Log Analytics workspace Application Insights already uses. Key Vault's AuditEvent
// records every secret read and write; the storage logs record every data-plane call (including reads
// of azure-webjobs-secrets). Category groups: https://learn.microsoft.com/azure/azure-monitor/essentials/diagnostic-settings#category-groups
param logAnalyticsName string
param functionAppName string
param keyVaultName string
param storageAccountName string

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' existing = {
  name: logAnalyticsName
}

resource site 'Microsoft.Web/sites@2025-03-01' existing = {
  name: functionAppName
}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: keyVaultName
}

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName

  resource blob 'blobServices' existing = {
    name: 'default'
  }

  resource queue 'queueServices' existing = {
    name: 'default'
  }

  resource table 'tableServices' existing = {
    name: 'default'
  }
}

var allLogs = [
  {
    categoryGroup: 'allLogs'
    enabled: true
  }
]

var allMetrics = [
  {
    category: 'AllMetrics'
    enabled: true
  }
]

resource siteDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: site
  properties: {
    workspaceId: workspace.id
    logs: allLogs
    metrics: allMetrics
  }
}

resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
  properties: {
    workspaceId: workspace.id
    logs: allLogs
    metrics: allMetrics
  }
}

// The account itself has metrics only; resource logs are per service.
resource storageDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: storage
  properties: {
    workspaceId: workspace.id
    metrics: allMetrics
  }
}

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: storage::blob
  properties: {
    workspaceId: workspace.id
    logs: allLogs
    metrics: allMetrics
  }
}

resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: storage::queue
  properties: {
    workspaceId: workspace.id
    logs: allLogs
    metrics: allMetrics
  }
}

resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: storage::table
  properties: {
    workspaceId: workspace.id
    logs: allLogs
    metrics: allMetrics
  }
}
