// User-assigned managed identity of the function app. User-assigned (not system-assigned) so that
// its role assignments exist before the app starts, it survives re-creating the app, and the
// Flex Consumption deployment container can be reached with it.
param name string
param location string = resourceGroup().location
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
