// Custom role with exactly the Resource Manager operations DefenderSnow calls on the Defender scopes,
// in place of the built-in Security Admin (which also may dismiss alerts, change policies and pricing).
// ResourceManagerOperationsTests maps every method of DefenderSnow.Core/Defender/IResourceManagerApi.cs to
// one of these actions and fails when a method has no mapping or its action is missing here.
// Operation names: https://learn.microsoft.com/azure/role-based-access-control/resource-provider-operations
// (Microsoft.Security, Microsoft.Management, Microsoft.Resources sections, permissions/security.md in
// MicrosoftDocs/azure-docs). That page lists governanceAssignments read and write but neither its delete
// nor securityConnectors/read; those two follow Resource Manager's {resource type}/{read|write|delete}
// naming of the operation it checks for the DELETE and GET requests.
// A role definition is created at a subscription or management group and may be assigned only at its
// assignableScopes: this template creates it in the deployment's subscription; add the other
// subscriptions / management groups the integrations name (creating it then needs
// Microsoft.Authorization/roleDefinitions/write on them too). A role with a management group among its
// assignable scopes may list only one management group and no data actions (it has none).
targetScope = 'subscription'

@description('Suffix that makes the role name unique in the tenant (role names are tenant-wide).')
param nameSuffix string

@description('Scopes besides this subscription where the role may be assigned: /subscriptions/<id> or /providers/Microsoft.Management/managementGroups/<id>.')
param additionalAssignableScopes array = []

resource role 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, 'DefenderSnow Defender governance', nameSuffix)
  properties: {
    roleName: 'DefenderSnow Defender governance (${nameSuffix})'
    description: 'Reads Defender for Cloud assessments, their metadata and security connectors, lists management group descendants and tagged resources, and reads/writes/deletes governance assignments. Nothing else.'
    type: 'CustomRole'
    assignableScopes: union([subscription().id], additionalAssignableScopes)
    permissions: [
      {
        actions: [
          'Microsoft.Security/assessments/read'
          'Microsoft.Security/assessmentMetadata/read'
          'Microsoft.Security/assessments/governanceAssignments/read'
          'Microsoft.Security/assessments/governanceAssignments/write'
          'Microsoft.Security/assessments/governanceAssignments/delete'
          'Microsoft.Security/securityConnectors/read'
          'Microsoft.Management/managementGroups/descendants/read'
          'Microsoft.Resources/subscriptions/resources/read'
        ]
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
  }
}

output id string = role.id
output name string = role.properties.roleName
