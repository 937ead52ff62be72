/* Volumes: the field tables of a pod's volume sources, of persistent volume
 * claims and of persistent volume sources, their defaults, and their
 * validation as pkg/apis/core/validation does it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quantity.h"
#include "schema_int.h"

/* ---- field tables ---- */

const struct sk_field sk_f_core_HostPathVolumeSource[] = {
        SK_FLD("path", SK_F_STRING, "Path on the node; a symlink is followed.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("type", SK_F_STRING,
               "What must exist at the path: \"\" (no check, the default), DirectoryOrCreate, "
               "Directory, FileOrCreate, File, Socket, CharDevice or BlockDevice.",
               .go_type = "v1.HostPathType"),
        {0},
};

static const struct sk_field f_core_EmptyDirVolumeSource[] = {
        SK_FLD("medium", SK_F_STRING,
               "Storage medium: \"\" for the node's disk, or Memory for a tmpfs.",
               .go_type = "v1.StorageMedium"),
        SK_FLD("sizeLimit", SK_F_QUANTITY,
               "Maximum size of the volume; the pod is evicted above it."),
        {0},
};

static const struct sk_field f_core_KeyToPath[] = {
        SK_FLD("key", SK_F_STRING, "Key to project.", .flags = SK_FF_REQUIRED),
        SK_FLD("path", SK_F_STRING,
               "Relative file path to write the key to; may not contain \"..\" or start with "
               "\"..\".",
               .flags = SK_FF_REQUIRED),
        SK_FLD("mode", SK_F_INT32,
               "File mode bits (0000-0777) for this file; YAML accepts octal, JSON needs decimal."),
        {0},
};

static const struct sk_field f_core_SecretVolumeSource[] = {
        SK_FLD("secretName", SK_F_STRING, "Name of the Secret in the pod's namespace."),
        SK_FLD("items", SK_F_ARRAY,
               "Keys to project into files; if unset every key becomes a file named after the key.",
               .elem = SK_F_OBJECT, .fields = f_core_KeyToPath, .ref = SK_REF_CORE "KeyToPath",
               .list_type = "atomic"),
        SK_FLD("defaultMode", SK_F_INT32,
               "File mode bits (0000-0777) for the created files unless an item sets its own; YAML "
               "accepts octal, JSON needs decimal. Defaults to 0644."),
        SK_FLD("optional", SK_F_BOOL, "If true, a missing Secret or key is not an error."),
        {0},
};

const struct sk_field sk_f_core_NFSVolumeSource[] = {
        SK_FLD("server", SK_F_STRING, "Host name or IP address of the NFS server.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("path", SK_F_STRING, "Exported path on the server.", .flags = SK_FF_REQUIRED),
        SK_FLD("readOnly", SK_F_BOOL, "Mount the export read-only. Defaults to false."),
        {0},
};

static const struct sk_field f_core_PersistentVolumeClaimVolumeSource[] = {
        SK_FLD("claimName", SK_F_STRING,
               "Name of the PersistentVolumeClaim in the pod's namespace.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("readOnly", SK_F_BOOL, "Mount the volume read-only. Defaults to false."),
        {0},
};

static const struct sk_field f_core_DownwardAPIVolumeFile[] = {
        SK_FLD("path", SK_F_STRING, "Relative file path to create; may not contain \"..\".",
               .flags = SK_FF_REQUIRED),
        SK_FLD("fieldRef", SK_F_OBJECT,
               "Pod field to write: metadata.name, metadata.namespace, metadata.uid, "
               "metadata.labels or metadata.annotations (also by key).",
               .fields = sk_f_core_ObjectFieldSelector, .ref = SK_REF_CORE "ObjectFieldSelector"),
        SK_FLD("resourceFieldRef", SK_F_OBJECT, "Container resource limit or request to write.",
               .fields = sk_f_core_ResourceFieldSelector,
               .ref = SK_REF_CORE "ResourceFieldSelector"),
        SK_FLD("mode", SK_F_INT32,
               "File mode bits (0000-0777) for this file; YAML accepts octal, JSON needs decimal."),
        {0},
};

static const struct sk_field f_core_DownwardAPIVolumeSource[] = {
        SK_FLD("items", SK_F_ARRAY, "Files to create.", .elem = SK_F_OBJECT,
               .fields = f_core_DownwardAPIVolumeFile, .ref = SK_REF_CORE "DownwardAPIVolumeFile",
               .list_type = "atomic"),
        SK_FLD("defaultMode", SK_F_INT32,
               "File mode bits (0000-0777) for the created files unless an item sets its own; YAML "
               "accepts octal, JSON needs decimal. Defaults to 0644."),
        {0},
};

static const struct sk_field f_core_ConfigMapVolumeSource[] = {
        SK_FLD("name", SK_F_STRING, "Name of the referenced object in the same namespace."),
        SK_FLD("items", SK_F_ARRAY,
               "Keys to project into files; if unset every key becomes a file named after the key.",
               .elem = SK_F_OBJECT, .fields = f_core_KeyToPath, .ref = SK_REF_CORE "KeyToPath",
               .list_type = "atomic"),
        SK_FLD("defaultMode", SK_F_INT32,
               "File mode bits (0000-0777) for the created files unless an item sets its own; YAML "
               "accepts octal, JSON needs decimal. Defaults to 0644."),
        SK_FLD("optional", SK_F_BOOL, "If true, a missing ConfigMap or key is not an error."),
        {0},
};

static const struct sk_field f_core_SecretProjection[] = {
        SK_FLD("name", SK_F_STRING, "Name of the referenced object in the same namespace."),
        SK_FLD("items", SK_F_ARRAY,
               "Keys to project into files; if unset every key becomes a file named after the key.",
               .elem = SK_F_OBJECT, .fields = f_core_KeyToPath, .ref = SK_REF_CORE "KeyToPath",
               .list_type = "atomic"),
        SK_FLD("optional", SK_F_BOOL, "If true, a missing Secret or key is not an error."),
        {0},
};

static const struct sk_field f_core_DownwardAPIProjection[] = {
        SK_FLD("items", SK_F_ARRAY, "Files to create.", .elem = SK_F_OBJECT,
               .fields = f_core_DownwardAPIVolumeFile, .ref = SK_REF_CORE "DownwardAPIVolumeFile",
               .list_type = "atomic"),
        {0},
};

static const struct sk_field f_core_ConfigMapProjection[] = {
        SK_FLD("name", SK_F_STRING, "Name of the referenced object in the same namespace."),
        SK_FLD("items", SK_F_ARRAY,
               "Keys to project into files; if unset every key becomes a file named after the key.",
               .elem = SK_F_OBJECT, .fields = f_core_KeyToPath, .ref = SK_REF_CORE "KeyToPath",
               .list_type = "atomic"),
        SK_FLD("optional", SK_F_BOOL, "If true, a missing ConfigMap or key is not an error."),
        {0},
};

static const struct sk_field f_core_ServiceAccountTokenProjection[] = {
        SK_FLD("audience", SK_F_STRING, "Audience the token is for; defaults to the API server's."),
        SK_FLD("expirationSeconds", SK_F_INT64,
               "Requested lifetime of the token, at least 600 seconds. Defaults to 3600."),
        SK_FLD("path", SK_F_STRING, "Relative file path to write the token to.",
               .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_ClusterTrustBundleProjection[] = {
        SK_FLD("name", SK_F_STRING, "Select a single ClusterTrustBundle by name."),
        SK_FLD("signerName", SK_F_STRING, "Select ClusterTrustBundles of this signer."),
        SK_FLD("labelSelector", SK_F_OBJECT, "Select ClusterTrustBundles of signerName by label.",
               .fields = sk_f_meta_LabelSelector, .ref = SK_REF_META "LabelSelector"),
        SK_FLD("optional", SK_F_BOOL, "If true, a missing bundle is not an error."),
        SK_FLD("path", SK_F_STRING, "Relative file path to write the certificates to.",
               .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_VolumeProjection[] = {
        SK_FLD("secret", SK_F_OBJECT, "Keys of a Secret.", .fields = f_core_SecretProjection,
               .ref = SK_REF_CORE "SecretProjection"),
        SK_FLD("downwardAPI", SK_F_OBJECT, "Pod fields and container resources.",
               .fields = f_core_DownwardAPIProjection, .ref = SK_REF_CORE "DownwardAPIProjection"),
        SK_FLD("configMap", SK_F_OBJECT, "Keys of a ConfigMap.",
               .fields = f_core_ConfigMapProjection, .ref = SK_REF_CORE "ConfigMapProjection"),
        SK_FLD("serviceAccountToken", SK_F_OBJECT, "A token of the pod's service account.",
               .fields = f_core_ServiceAccountTokenProjection,
               .ref = SK_REF_CORE "ServiceAccountTokenProjection"),
        SK_FLD("clusterTrustBundle", SK_F_OBJECT, "Certificates from ClusterTrustBundle objects.",
               .fields = f_core_ClusterTrustBundleProjection,
               .ref = SK_REF_CORE "ClusterTrustBundleProjection"),
        {0},
};

static const struct sk_field f_core_ProjectedVolumeSource[] = {
        SK_FLD("sources", SK_F_ARRAY, "Sources merged into the volume.", .elem = SK_F_OBJECT,
               .fields = f_core_VolumeProjection, .ref = SK_REF_CORE "VolumeProjection",
               .list_type = "atomic"),
        SK_FLD("defaultMode", SK_F_INT32,
               "File mode bits (0000-0777) for the created files unless an item sets its own; YAML "
               "accepts octal, JSON needs decimal. Defaults to 0644."),
        {0},
};

static const struct sk_field f_core_CSIVolumeSource[] = {
        SK_FLD("driver", SK_F_STRING, "Name of the CSI driver that provides the volume.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("readOnly", SK_F_BOOL, "Mount read-only. Defaults to false."),
        SK_FLD("fsType", SK_F_STRING,
               "Filesystem type to mount, e.g. \"ext4\"; the node picks a default when unset."),
        SK_FLD("volumeAttributes", SK_F_MAP, "Driver-specific properties.", .elem = SK_F_STRING),
        SK_FLD("nodePublishSecretRef", SK_F_OBJECT,
               "Secret with credentials the driver needs to publish the volume on the node.",
               .fields = sk_f_core_LocalObjectReference, .ref = SK_REF_CORE "LocalObjectReference"),
        {0},
};

static const struct sk_field f_core_VolumeResourceRequirements[] = {
        SK_FLD("limits", SK_F_MAP, "Maximum amount of storage.", .elem = SK_F_QUANTITY,
               .go_type = "v1.ResourceList"),
        SK_FLD("requests", SK_F_MAP, "Minimum amount of storage, e.g. storage: 1Gi.",
               .elem = SK_F_QUANTITY, .go_type = "v1.ResourceList"),
        {0},
};

const struct sk_field sk_f_core_PersistentVolumeClaimSpec[] = {
        SK_FLD("accessModes", SK_F_ARRAY, "Access modes the volume must support.",
               .elem = SK_F_STRING, .list_type = "atomic",
               .go_type = "[]v1.PersistentVolumeAccessMode"),
        SK_FLD("selector", SK_F_OBJECT, "Label query over the PersistentVolumes that may be bound.",
               .fields = sk_f_meta_LabelSelector, .ref = SK_REF_META "LabelSelector"),
        SK_FLD("resources", SK_F_OBJECT, "Minimum (and maximum) size of the volume.",
               .fields = f_core_VolumeResourceRequirements,
               .ref = SK_REF_CORE "VolumeResourceRequirements"),
        SK_FLD("volumeName", SK_F_STRING, "Name of a specific PersistentVolume to bind to."),
        SK_FLD("storageClassName", SK_F_STRING,
               "StorageClass to provision from; \"\" asks for a volume without a class, unset uses "
               "the default class."),
        SK_FLD("volumeMode", SK_F_STRING, "Filesystem or Block. Defaults to Filesystem.",
               .go_type = "v1.PersistentVolumeMode"),
        SK_FLD("dataSource", SK_F_OBJECT,
               "Existing VolumeSnapshot or PersistentVolumeClaim to populate the volume from.",
               .fields = sk_f_core_TypedLocalObjectReference,
               .ref = SK_REF_CORE "TypedLocalObjectReference"),
        SK_FLD("dataSourceRef", SK_F_OBJECT,
               "Object, possibly in another namespace, to populate the volume from.",
               .fields = sk_f_core_TypedObjectReference, .ref = SK_REF_CORE "TypedObjectReference"),
        SK_FLD("volumeAttributesClassName", SK_F_STRING,
               "VolumeAttributesClass to apply to the volume."),
        {0},
};

static const struct sk_field f_core_PersistentVolumeClaimTemplate[] = {
        SK_FLD("metadata", SK_F_OBJECT, "Labels and annotations copied to the created claim.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "Spec of the created claim.",
               .fields = sk_f_core_PersistentVolumeClaimSpec,
               .ref = SK_REF_CORE "PersistentVolumeClaimSpec", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_EphemeralVolumeSource[] = {
        SK_FLD("volumeClaimTemplate", SK_F_OBJECT,
               "Template for the claim created for the pod as <pod>-<volume>.",
               .fields = f_core_PersistentVolumeClaimTemplate,
               .ref = SK_REF_CORE "PersistentVolumeClaimTemplate"),
        {0},
};

static const struct sk_field f_core_ImageVolumeSource[] = {
        SK_FLD("reference", SK_F_STRING, "Image or artifact reference to mount."),
        SK_FLD("pullPolicy", SK_F_STRING,
               "Always, Never or IfNotPresent; defaults like a container's imagePullPolicy.",
               .go_type = "v1.PullPolicy"),
        {0},
};

const struct sk_field sk_f_core_Volume[] = {
        SK_FLD("name", SK_F_STRING,
               "Name of the volume as a DNS label; unique within the pod and used by volumeMounts.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("hostPath", SK_F_OBJECT,
               "A file or directory of the node; for system agents, not for ordinary workloads.",
               .fields = sk_f_core_HostPathVolumeSource, .ref = SK_REF_CORE "HostPathVolumeSource"),
        SK_FLD("emptyDir", SK_F_OBJECT, "An empty directory that lives as long as the pod.",
               .fields = f_core_EmptyDirVolumeSource, .ref = SK_REF_CORE "EmptyDirVolumeSource"),
        SK_FLD("gcePersistentDisk", SK_F_OBJECT, "Deprecated GCE persistent disk (in-tree plugin).",
               .ref = SK_REF_CORE "GCEPersistentDiskVolumeSource"),
        SK_FLD("awsElasticBlockStore", SK_F_OBJECT, "Deprecated AWS EBS disk (in-tree plugin).",
               .ref = SK_REF_CORE "AWSElasticBlockStoreVolumeSource"),
        SK_FLD("gitRepo", SK_F_OBJECT,
               "Deprecated: a git repository cloned into an empty directory.",
               .ref = SK_REF_CORE "GitRepoVolumeSource"),
        SK_FLD("secret", SK_F_OBJECT, "The keys of a Secret as files.",
               .fields = f_core_SecretVolumeSource, .ref = SK_REF_CORE "SecretVolumeSource"),
        SK_FLD("nfs", SK_F_OBJECT, "An NFS export mounted into the pod.",
               .fields = sk_f_core_NFSVolumeSource, .ref = SK_REF_CORE "NFSVolumeSource"),
        SK_FLD("iscsi", SK_F_OBJECT, "iSCSI disk.", .ref = SK_REF_CORE "ISCSIVolumeSource"),
        SK_FLD("glusterfs", SK_F_OBJECT, "Deprecated GlusterFS mount.",
               .ref = SK_REF_CORE "GlusterfsVolumeSource"),
        SK_FLD("persistentVolumeClaim", SK_F_OBJECT,
               "A PersistentVolumeClaim in the pod's namespace.",
               .fields = f_core_PersistentVolumeClaimVolumeSource,
               .ref = SK_REF_CORE "PersistentVolumeClaimVolumeSource"),
        SK_FLD("rbd", SK_F_OBJECT, "Deprecated Ceph RBD image.",
               .ref = SK_REF_CORE "RBDVolumeSource"),
        SK_FLD("flexVolume", SK_F_OBJECT, "Deprecated FlexVolume driver volume.",
               .ref = SK_REF_CORE "FlexVolumeSource"),
        SK_FLD("cinder", SK_F_OBJECT, "Deprecated OpenStack Cinder volume (in-tree plugin).",
               .ref = SK_REF_CORE "CinderVolumeSource"),
        SK_FLD("cephfs", SK_F_OBJECT, "Deprecated CephFS mount (in-tree plugin).",
               .ref = SK_REF_CORE "CephFSVolumeSource"),
        SK_FLD("flocker", SK_F_OBJECT, "Deprecated Flocker dataset.",
               .ref = SK_REF_CORE "FlockerVolumeSource"),
        SK_FLD("downwardAPI", SK_F_OBJECT, "Pod fields and container resources as files.",
               .fields = f_core_DownwardAPIVolumeSource,
               .ref = SK_REF_CORE "DownwardAPIVolumeSource"),
        SK_FLD("fc", SK_F_OBJECT, "Fibre Channel disk.", .ref = SK_REF_CORE "FCVolumeSource"),
        SK_FLD("azureFile", SK_F_OBJECT, "Deprecated Azure File share (in-tree plugin).",
               .ref = SK_REF_CORE "AzureFileVolumeSource"),
        SK_FLD("configMap", SK_F_OBJECT, "The keys of a ConfigMap as files.",
               .fields = f_core_ConfigMapVolumeSource, .ref = SK_REF_CORE "ConfigMapVolumeSource"),
        SK_FLD("vsphereVolume", SK_F_OBJECT, "Deprecated vSphere disk (in-tree plugin).",
               .ref = SK_REF_CORE "VsphereVirtualDiskVolumeSource"),
        SK_FLD("quobyte", SK_F_OBJECT, "Deprecated Quobyte mount.",
               .ref = SK_REF_CORE "QuobyteVolumeSource"),
        SK_FLD("azureDisk", SK_F_OBJECT, "Deprecated Azure data disk (in-tree plugin).",
               .ref = SK_REF_CORE "AzureDiskVolumeSource"),
        SK_FLD("photonPersistentDisk", SK_F_OBJECT, "Deprecated Photon Controller disk.",
               .ref = SK_REF_CORE "PhotonPersistentDiskVolumeSource"),
        SK_FLD("projected", SK_F_OBJECT,
               "Several sources (secrets, configMaps, downward API, tokens) merged into one "
               "directory.",
               .fields = f_core_ProjectedVolumeSource, .ref = SK_REF_CORE "ProjectedVolumeSource"),
        SK_FLD("portworxVolume", SK_F_OBJECT, "Deprecated Portworx volume (in-tree plugin).",
               .ref = SK_REF_CORE "PortworxVolumeSource"),
        SK_FLD("scaleIO", SK_F_OBJECT, "Deprecated ScaleIO volume.",
               .ref = SK_REF_CORE "ScaleIOVolumeSource"),
        SK_FLD("storageos", SK_F_OBJECT, "Deprecated StorageOS volume.",
               .ref = SK_REF_CORE "StorageOSVolumeSource"),
        SK_FLD("csi", SK_F_OBJECT, "An ephemeral volume provided by a CSI driver.",
               .fields = f_core_CSIVolumeSource, .ref = SK_REF_CORE "CSIVolumeSource"),
        SK_FLD("ephemeral", SK_F_OBJECT,
               "A volume from a PersistentVolumeClaim created for, and deleted with, the pod.",
               .fields = f_core_EphemeralVolumeSource, .ref = SK_REF_CORE "EphemeralVolumeSource"),
        SK_FLD("image", SK_F_OBJECT, "The contents of an OCI image or artifact, read-only.",
               .fields = f_core_ImageVolumeSource, .ref = SK_REF_CORE "ImageVolumeSource"),
        {0},
};

const struct sk_field sk_f_core_LocalVolumeSource[] = {
        SK_FLD("path", SK_F_STRING, "Full path on the node of the disk, partition or directory.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("fsType", SK_F_STRING, "Filesystem type, when the path is a block device."),
        {0},
};

const struct sk_field sk_f_core_CSIPersistentVolumeSource[] = {
        SK_FLD("driver", SK_F_STRING, "Name of the CSI driver.", .flags = SK_FF_REQUIRED),
        SK_FLD("volumeHandle", SK_F_STRING, "ID of the volume as the driver knows it.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("readOnly", SK_F_BOOL, "Publish the volume read-only. Defaults to false."),
        SK_FLD("fsType", SK_F_STRING,
               "Filesystem type to mount, e.g. \"ext4\"; the node picks a default when unset."),
        SK_FLD("volumeAttributes", SK_F_MAP, "Driver-specific attributes of the volume.",
               .elem = SK_F_STRING),
        SK_FLD("controllerPublishSecretRef", SK_F_OBJECT,
               "Secret passed to the driver on ControllerPublishVolume.",
               .fields = sk_f_core_SecretReference, .ref = SK_REF_CORE "SecretReference"),
        SK_FLD("nodeStageSecretRef", SK_F_OBJECT, "Secret passed to the driver on NodeStageVolume.",
               .fields = sk_f_core_SecretReference, .ref = SK_REF_CORE "SecretReference"),
        SK_FLD("nodePublishSecretRef", SK_F_OBJECT,
               "Secret passed to the driver on NodePublishVolume.",
               .fields = sk_f_core_SecretReference, .ref = SK_REF_CORE "SecretReference"),
        SK_FLD("controllerExpandSecretRef", SK_F_OBJECT,
               "Secret passed to the driver on ControllerExpandVolume.",
               .fields = sk_f_core_SecretReference, .ref = SK_REF_CORE "SecretReference"),
        SK_FLD("nodeExpandSecretRef", SK_F_OBJECT,
               "Secret passed to the driver on NodeExpandVolume.",
               .fields = sk_f_core_SecretReference, .ref = SK_REF_CORE "SecretReference"),
        {0},
};

const struct sk_field sk_f_core_VolumeNodeAffinity[] = {
        SK_FLD("required", SK_F_OBJECT, "Nodes the volume can be reached from.",
               .fields = sk_f_core_NodeSelector, .ref = SK_REF_CORE "NodeSelector"),
        {0},
};

/* ---- defaults ---- */

void sk_default_resource_list(struct sk_val *list)
{
    if (!list || list->type != SK_V_MAP) return;
    for (size_t i = 0; i < list->u.m.n; i++) {
        struct sk_val *v = list->u.m.kv[i].val;
        struct sk_quantity q;
        if (v->type == SK_V_NULL || sk_quantity_from_val(v, &q, NULL, NULL) != SK_OK) continue;
        /* SetDefaults_ResourceList rounds up to milli units. */
        if (q.e < -3) sk_quantity_from_milli(&q, sk_quantity_milli_value(&q), q.fmt);
        char buf[SK_QUANTITY_STRMAX];
        size_t n = sk_quantity_format(&q, buf);
        char *stored = NULL;
        /* Keep the text the server would keep ("+1", "1.500") unless
         * rounding changed the value. */
        if (v->type == SK_V_STR && q.e >= -3) stored = sk_quantity_normalize(v->u.s.p, NULL, NULL);
        sk_val_free(list->u.m.kv[i].val);
        list->u.m.kv[i].val = stored ? sk_val_str(stored) : sk_val_strn(buf, n);
        free(stored);
    }
}

static void default_mode(struct sk_val *src)
{
    sk_dint(src, "defaultMode", 420);
}

static void default_downward_items(struct sk_val *items)
{
    for (size_t i = 0; i < sk_alen(items); i++) {
        struct sk_val *fr = sk_map_get(items->u.a.items[i], "fieldRef");
        if (fr && fr->type == SK_V_MAP) sk_dstr0(fr, "apiVersion", "v1");
    }
}

void sk_default_pvc_spec(struct sk_val *spec)
{
    if (!spec || spec->type != SK_V_MAP) return;
    sk_dstr(spec, "volumeMode", "Filesystem");
    struct sk_val *res = sk_map_get(spec, "resources");
    sk_default_resource_list(sk_map_get(res, "limits"));
    sk_default_resource_list(sk_map_get(res, "requests"));
}

void sk_default_legacy_sources(struct sk_val *src)
{
    struct sk_val *s;
    if ((s = sk_map_get(src, "hostPath")) && s->type == SK_V_MAP) sk_dstr(s, "type", "");
    if ((s = sk_map_get(src, "iscsi")) && s->type == SK_V_MAP)
        sk_dstr0(s, "iscsiInterface", "default");
    if ((s = sk_map_get(src, "rbd")) && s->type == SK_V_MAP) {
        sk_dstr0(s, "pool", "rbd");
        sk_dstr0(s, "user", "admin");
        sk_dstr0(s, "keyring", "/etc/ceph/keyring");
    }
    if ((s = sk_map_get(src, "scaleIO")) && s->type == SK_V_MAP) {
        sk_dstr0(s, "storageMode", "ThinProvisioned");
        sk_dstr0(s, "fsType", "xfs");
    }
    if ((s = sk_map_get(src, "azureDisk")) && s->type == SK_V_MAP) {
        sk_dstr(s, "cachingMode", "ReadWrite");
        sk_dstr(s, "kind", "Shared");
        sk_dstr(s, "fsType", "ext4");
        sk_dbool(s, "readOnly", false);
    }
}

void sk_default_volume(struct sk_val *vol)
{
    if (!vol || vol->type != SK_V_MAP) return;
    bool any = false;
    for (const struct sk_field *f = sk_f_core_Volume; f->name && !any; f++)
        any = strcmp(f->name, "name") && sk_has(vol, f->name);
    if (!any) sk_map_set(vol, "emptyDir", sk_val_map());
    struct sk_val *s;
    if ((s = sk_map_get(vol, "secret")) && s->type == SK_V_MAP) default_mode(s);
    if ((s = sk_map_get(vol, "configMap")) && s->type == SK_V_MAP) default_mode(s);
    if ((s = sk_map_get(vol, "downwardAPI")) && s->type == SK_V_MAP) {
        default_mode(s);
        default_downward_items(sk_map_get(s, "items"));
    }
    sk_default_legacy_sources(vol);
    if ((s = sk_map_get(vol, "projected")) && s->type == SK_V_MAP) {
        default_mode(s);
        struct sk_val *srcs = sk_map_get(s, "sources");
        for (size_t i = 0; i < sk_alen(srcs); i++) {
            struct sk_val *p = srcs->u.a.items[i], *t;
            if ((t = sk_map_get(p, "serviceAccountToken")) && t->type == SK_V_MAP)
                sk_dint(t, "expirationSeconds", 3600);
            if ((t = sk_map_get(p, "downwardAPI")) && t->type == SK_V_MAP)
                default_downward_items(sk_map_get(t, "items"));
        }
    }
    if ((s = sk_map_get(vol, "emptyDir")) && s->type == SK_V_MAP) {
        struct sk_val *lim = sk_map_get(s, "sizeLimit");
        if (lim && lim->type != SK_V_NULL) {
            char *stored = NULL;
            struct sk_quantity q;
            if (sk_quantity_from_val(lim, &q, &stored, NULL) == SK_OK && stored)
                sk_map_set(s, "sizeLimit", sk_val_str(stored));
            free(stored);
        }
    }
    if ((s = sk_map_get(vol, "ephemeral")) && s->type == SK_V_MAP)
        sk_default_pvc_spec(sk_map_get(sk_map_get(s, "volumeClaimTemplate"), "spec"));
}

/* ---- validation ---- */

#define FILE_MODE_MSG "must be a number between 0 and 0777 (octal), both inclusive"

void sk_volset_free(struct sk_volset *s)
{
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

const struct sk_volinfo *sk_volset_find(const struct sk_volset *s, const char *name)
{
    for (size_t i = 0; name && i < s->n; i++)
        if (!strcmp(s->v[i].name, name)) return &s->v[i];
    return NULL;
}

static void vmode(struct sk_vctx *v, const struct sk_val *m, const char *k)
{
    int64_t mode;
    if (sk_geti(m, k, &mode) && (mode > 0777 || mode < 0))
        sk_vinvalid_int(v, k, mode, FILE_MODE_MSG);
}

static void key_to_path(struct sk_vctx *v, const struct sk_val *kp)
{
    const char *key = sk_gets0(kp, "key"), *path = sk_gets0(kp, "path");
    if (!*key) sk_vrequired(v, "key", "%s", "");
    if (!*path) sk_vrequired(v, "path", "%s", "");
    sk_vlocal_nonreserved_path(v, "path", path);
    vmode(v, kp, "mode");
}

static void key_to_paths(struct sk_vctx *v, const struct sk_val *items)
{
    for (size_t i = 0; i < sk_alen(items); i++) {
        size_t mark = sk_vpush(v, "items");
        sk_vpushi(v, i);
        key_to_path(v, items->u.a.items[i]);
        sk_vpop(v, mark);
    }
}

static const char *const volume_field_paths[] = {"metadata.annotations", "metadata.labels",
                                                 "metadata.name",        "metadata.namespace",
                                                 "metadata.uid",         NULL};

static const char *const convertible_fields[] = {"metadata.annotations",
                                                 "metadata.labels",
                                                 "metadata.name",
                                                 "metadata.namespace",
                                                 "metadata.uid",
                                                 "spec.nodeName",
                                                 "spec.restartPolicy",
                                                 "spec.serviceAccountName",
                                                 "spec.schedulerName",
                                                 "status.phase",
                                                 "status.hostIP",
                                                 "status.hostIPs",
                                                 "status.podIP",
                                                 "status.podIPs",
                                                 NULL};

/* fieldpath.SplitMaybeSubscriptedPath: "a.b['key']" -> "a.b", "key". */
static bool split_subscript(const char *fp, char **path, char **sub)
{
    size_t n = strlen(fp);
    const char *br = strchr(fp, '[');
    if (!br || n < 4 || fp[n - 1] != ']' || fp[n - 2] != '\'' || br[1] != '\'' ||
        (size_t)(br - fp) + 4 > n)
        return false;
    *path = sk_xstrndup(fp, (size_t)(br - fp));
    *sub = sk_xstrndup(br + 2, n - (size_t)(br - fp) - 4);
    return true;
}

void sk_validate_field_selector(struct sk_vctx *v, const struct sk_val *fs,
                                const char *const *supported)
{
    const char *av = sk_gets0(fs, "apiVersion"), *fp = sk_gets0(fs, "fieldPath");
    if (!*av) {
        sk_vrequired(v, "apiVersion", "%s", "");
        return;
    }
    if (!*fp) {
        sk_vrequired(v, "fieldPath", "%s", "");
        return;
    }
    char *path = NULL, *sub = NULL;
    bool subscripted = split_subscript(fp, &path, &sub);
    /* ConvertDownwardAPIFieldLabel for v1 pods comes first. */
    if (strcmp(av, "v1")) {
        sk_vinvalid_str(v, "fieldPath", fp,
                        "error converting fieldPath: unsupported pod version: %s", av);
    } else if (subscripted && strcmp(path, "metadata.annotations") &&
               strcmp(path, "metadata.labels")) {
        sk_vinvalid_str(v, "fieldPath", fp,
                        "error converting fieldPath: field label does not support subscript: %s",
                        fp);
    } else if (!subscripted && !sk_str_in(fp, convertible_fields)) {
        sk_vinvalid_str(v, "fieldPath", fp,
                        "error converting fieldPath: field label not supported: %s", fp);
    } else if (subscripted) {
        if (!strcmp(path, "metadata.annotations"))
            for (char *c = sub; *c; c++)
                *c = (char)((*c >= 'A' && *c <= 'Z') ? *c + 32 : *c);
        sk_vqualified(v, NULL, sub);
    } else if (!sk_str_in(fp, supported)) {
        sk_vnotsupported_str(v, "fieldPath", fp, supported);
    }
    free(path);
    free(sub);
}

static const char *const container_resource_fields[] = {"limits.cpu",
                                                        "limits.ephemeral-storage",
                                                        "limits.memory",
                                                        "requests.cpu",
                                                        "requests.ephemeral-storage",
                                                        "requests.memory",
                                                        NULL};

void sk_validate_resource_field_selector(struct sk_vctx *v, const struct sk_val *fs, bool volume)
{
    const char *res = sk_gets0(fs, "resource");
    if (volume && !*sk_gets0(fs, "containerName"))
        sk_vrequired(v, "containerName", "%s", "");
    else if (!*res)
        sk_vrequired(v, "resource", "%s", "");
    else if (!sk_str_in(res, container_resource_fields) &&
             strncmp(res, "requests.hugepages-", 19) && strncmp(res, "limits.hugepages-", 17))
        sk_vnotsupported_str(v, "resource", res, container_resource_fields);
    const struct sk_val *div = sk_get(fs, "divisor");
    struct sk_quantity q;
    if (!div || sk_quantity_from_val(div, &q, NULL, NULL) != SK_OK || sk_quantity_is_zero(&q))
        return;
    char buf[SK_QUANTITY_STRMAX];
    sk_quantity_format(&q, buf);
    static const char *const mem[] = {"1",   "1k",  "1M",  "1G",  "1T",  "1P",  "1E",
                                      "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei", NULL};
    if (!strcmp(res, "limits.cpu") || !strcmp(res, "requests.cpu")) {
        if (strcmp(buf, "1m") && strcmp(buf, "1"))
            sk_vinvalid_str(v, "divisor", res,
                            "only divisor's values 1m and 1 are supported with the cpu resource");
    } else if (!strcmp(res, "limits.memory") || !strcmp(res, "requests.memory")) {
        if (!sk_str_in(buf, mem))
            sk_vinvalid_str(
                    v, "divisor", res,
                    "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei "
                    "are supported with the memory resource");
    } else if (!strcmp(res, "limits.ephemeral-storage") ||
               !strcmp(res, "requests.ephemeral-storage")) {
        if (!sk_str_in(buf, mem))
            sk_vinvalid_str(
                    v, "divisor", res,
                    "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei "
                    "are supported with the local ephemeral storage resource");
    }
}

/* validateDownwardAPIVolumeFile: Kubernetes reports these at the path of
 * the volume source, not of the item. */
static void downward_file(struct sk_vctx *v, const struct sk_val *file)
{
    const char *path = sk_gets0(file, "path");
    if (!*path) sk_vrequired(v, "path", "%s", "");
    sk_vlocal_nonreserved_path(v, "path", path);
    const struct sk_val *fr = sk_getm(file, "fieldRef"), *rfr = sk_getm(file, "resourceFieldRef");
    if (fr) {
        size_t mark = sk_vpush(v, "fieldRef");
        sk_validate_field_selector(v, fr, volume_field_paths);
        sk_vpop(v, mark);
        if (rfr)
            sk_vinvalid_str(v, NULL, "resource",
                            "fieldRef and resourceFieldRef can not be specified simultaneously");
    } else if (rfr) {
        size_t mark = sk_vpush(v, "resourceFieldRef");
        sk_validate_resource_field_selector(v, rfr, true);
        sk_vpop(v, mark);
    } else {
        sk_vrequired(v, NULL, "one of fieldRef and resourceFieldRef is required");
    }
    vmode(v, file, "mode");
}

/* Kubernetes reports some errors inside a projected volume at the path of
 * the volume itself: step back to mark for them and return. */
static char *up(struct sk_vctx *v, size_t mark)
{
    char *suffix = sk_xstrdup(v->path + mark);
    sk_vpop(v, mark);
    return suffix;
}

static void down(struct sk_vctx *v, char *suffix)
{
    sk_vraw(v, suffix);
    free(suffix);
}

static void dup_path(struct sk_vctx *v, size_t vmark, const char **seen, size_t *nseen,
                     const char *path, const char *value)
{
    for (size_t i = 0; i < *nseen; i++) {
        if (!strcmp(seen[i], path)) {
            char *s = up(v, vmark);
            sk_vinvalid_str(v, NULL, value, "conflicting duplicate paths");
            down(v, s);
            return;
        }
    }
    seen[(*nseen)++] = path;
}

static void projected(struct sk_vctx *v, const struct sk_val *pj)
{
    size_t vmark = v->len;
    vmode(v, pj, "defaultMode");
    const struct sk_val *srcs = sk_geta(pj, "sources");
    size_t cap = 8;
    for (size_t i = 0; i < sk_alen(srcs); i++) {
        const struct sk_val *s = srcs->u.a.items[i];
        cap += sk_alen(sk_geta(sk_getm(s, "secret"), "items")) +
               sk_alen(sk_geta(sk_getm(s, "configMap"), "items")) +
               sk_alen(sk_geta(sk_getm(s, "downwardAPI"), "items")) + 1;
    }
    const char **seen = sk_xcalloc(cap, sizeof(*seen));
    size_t nseen = 0;
    for (size_t i = 0; i < sk_alen(srcs); i++) {
        const struct sk_val *s = srcs->u.a.items[i];
        int num = 0;
        size_t smark = sk_vpush(v, "sources");
        sk_vpushi(v, i);
        static const char *const kinds[] = {"secret", "configMap", NULL};
        for (size_t k = 0; kinds[k]; k++) {
            const struct sk_val *src = sk_getm(s, kinds[k]);
            if (!src) continue;
            num++;
            size_t m = sk_vpush(v, kinds[k]);
            const char *name = sk_gets0(src, "name");
            if (!*name) sk_vrequired(v, "name", "%s", "");
            const struct sk_val *items = sk_geta(src, "items");
            for (size_t j = 0; j < sk_alen(items); j++) {
                size_t im = sk_vpush(v, "items");
                sk_vpushi(v, j);
                key_to_path(v, items->u.a.items[j]);
                sk_vpop(v, im);
                const char *p = sk_gets0(items->u.a.items[j], "path");
                if (*p) dup_path(v, vmark, seen, &nseen, p, name);
            }
            sk_vpop(v, m);
        }
        const struct sk_val *da = sk_getm(s, "downwardAPI");
        if (da) {
            num++;
            size_t m = sk_vpush(v, "downwardAPI");
            const struct sk_val *items = sk_geta(da, "items");
            for (size_t j = 0; j < sk_alen(items); j++) {
                downward_file(v, items->u.a.items[j]);
                const char *p = sk_gets0(items->u.a.items[j], "path");
                if (*p) dup_path(v, vmark, seen, &nseen, p, p);
            }
            sk_vpop(v, m);
        }
        const struct sk_val *sat = sk_getm(s, "serviceAccountToken");
        if (sat) {
            num++;
            int64_t exp = sk_geti0(sat, "expirationSeconds");
            size_t m = sk_vpush(v, "serviceAccountToken");
            if (exp < 600)
                sk_vinvalid_int(v, "expirationSeconds", exp,
                                "may not specify a duration less than 10 minutes");
            if (exp > (int64_t)1 << 32)
                sk_vinvalid_int(v, "expirationSeconds", exp,
                                "may not specify a duration larger than 2^32 seconds");
            const char *p = sk_gets0(sat, "path");
            char *suffix = up(v, vmark);
            if (!*p)
                sk_vrequired(v, "path", "%s", "");
            else
                sk_vlocal_nonreserved_path(v, "path", p);
            down(v, suffix);
            sk_vpop(v, m);
        }
        const struct sk_val *ctb = sk_getm(s, "clusterTrustBundle");
        if (ctb) {
            num++;
            size_t m = sk_vpush(v, "clusterTrustBundle");
            bool byname = sk_has(ctb, "name"), bysigner = sk_has(ctb, "signerName");
            if (byname && bysigner) {
                _sk_cleanup_free_ char *val = sk_gofmt_val(ctb);
                sk_vinvalid(v, NULL, val, "only one of name and signerName may be used");
            } else if (byname) {
                if (!*sk_gets0(ctb, "name")) sk_vrequired(v, "name", "must be a valid object name");
                if (sk_has(ctb, "labelSelector")) {
                    _sk_cleanup_free_ char *val = sk_gofmt_val(sk_get(ctb, "labelSelector"));
                    sk_vinvalid(v, "labelSelector", val,
                                "labelSelector must be unset if name is specified");
                }
            } else if (bysigner) {
                if (!*sk_gets0(ctb, "signerName"))
                    sk_vrequired(v, "signerName", "must be a valid signer name");
                sk_vlabelsel(v, "labelSelector", sk_get(ctb, "labelSelector"));
            } else {
                sk_vrequired(v, NULL, "either name or signerName must be specified");
            }
            const char *p = sk_gets0(ctb, "path");
            if (!*p) sk_vrequired(v, "path", "%s", "");
            sk_vlocal_nonreserved_path(v, "path", p);
            if (*p) dup_path(v, vmark, seen, &nseen, p, p);
            sk_vpop(v, m);
        }
        if (num > 1) sk_vforbidden(v, NULL, "may not specify more than 1 volume type per source");
        sk_vpop(v, smark);
    }
    free(seen);
}

static void csi_driver_name(struct sk_vctx *v, const char *child, const char *d)
{
    if (!*d) sk_vrequired(v, child, "%s", "");
    if (strlen(d) > 63) sk_vtoolong(v, child, 63);
    char *lower = sk_xstrdup(d);
    for (char *c = lower; *c; c++)
        *c = (char)((*c >= 'A' && *c <= 'Z') ? *c + 32 : *c);
    const char *msgs[SK_MAXMSGS];
    size_t n = sk_dns1123_subdomain_msgs(lower, msgs);
    for (size_t i = 0; i < n; i++)
        sk_vinvalid_str(v, child, d, "%s", msgs[i]);
    free(lower);
}

static const char *const host_path_types[] = {
        "",     "BlockDevice",  "CharDevice", "Directory", "DirectoryOrCreate",
        "File", "FileOrCreate", "Socket",     NULL};

static void host_path(struct sk_vctx *v, const struct sk_val *hp)
{
    const char *p = sk_gets0(hp, "path");
    if (!*p) {
        sk_vrequired(v, "path", "%s", "");
        return;
    }
    sk_vno_backsteps(v, "path", p);
    const char *t = sk_gets(hp, "type");
    if (t && !sk_str_in(t, host_path_types)) sk_vnotsupported_str(v, "type", t, host_path_types);
}

static void nfs(struct sk_vctx *v, const struct sk_val *n)
{
    const char *p = sk_gets0(n, "path");
    if (!*sk_gets0(n, "server")) sk_vrequired(v, "server", "%s", "");
    if (!*p) sk_vrequired(v, "path", "%s", "");
    if (p[0] != '/') sk_vinvalid_str(v, "path", p, "must be an absolute path");
}

/* The order Kubernetes checks the sources in, with the path each one's
 * "more than 1 volume type" error is reported at. */
static const char *const volume_sources[] = {"emptyDir",
                                             "hostPath",
                                             "gitRepo",
                                             "gcePersistentDisk",
                                             "awsElasticBlockStore",
                                             "secret",
                                             "nfs",
                                             "iscsi",
                                             "glusterfs",
                                             "flocker",
                                             "persistentVolumeClaim",
                                             "rbd",
                                             "cinder",
                                             "cephfs",
                                             "quobyte",
                                             "downwardAPI",
                                             "fc",
                                             "flexVolume",
                                             "configMap",
                                             "azureFile",
                                             "vsphereVolume",
                                             "photonPersistentDisk",
                                             "portworxVolume",
                                             "azureDisk",
                                             "storageos",
                                             "projected",
                                             "scaleIO",
                                             "csi",
                                             "ephemeral",
                                             "image",
                                             NULL};

static const char *forbidden_path(const char *src)
{
    if (!strcmp(src, "cephfs")) return "cephFS";
    if (!strcmp(src, "downwardAPI")) return "downwarAPI"; /* sic, as Kubernetes spells it */
    return src;
}

static void volume_source(struct sk_vctx *v, const struct sk_val *vol, const char *volname,
                          const char *podname, bool is_pod)
{
    int num = 0;
    for (size_t i = 0; volume_sources[i]; i++) {
        const char *k = volume_sources[i];
        const struct sk_val *src = sk_get(vol, k);
        if (!src) continue;
        if (num > 0) {
            sk_vforbidden(v, forbidden_path(k), "may not specify more than 1 volume type");
            continue;
        }
        num++;
        size_t mark = sk_vpush(v, k);
        if (!strcmp(k, "emptyDir")) {
            struct sk_quantity q;
            const struct sk_val *lim = sk_get(src, "sizeLimit");
            if (lim && sk_quantity_from_val(lim, &q, NULL, NULL) == SK_OK &&
                sk_quantity_sign(&q) < 0)
                sk_vforbidden(v, "sizeLimit", "SizeLimit field must be a valid resource quantity");
        } else if (!strcmp(k, "hostPath")) {
            host_path(v, src);
        } else if (!strcmp(k, "secret")) {
            if (!*sk_gets0(src, "secretName")) sk_vrequired(v, "secretName", "%s", "");
            vmode(v, src, "defaultMode");
            key_to_paths(v, sk_geta(src, "items"));
        } else if (!strcmp(k, "nfs")) {
            nfs(v, src);
        } else if (!strcmp(k, "persistentVolumeClaim")) {
            if (!*sk_gets0(src, "claimName")) sk_vrequired(v, "claimName", "%s", "");
        } else if (!strcmp(k, "downwardAPI")) {
            vmode(v, src, "defaultMode");
            const struct sk_val *items = sk_geta(src, "items");
            for (size_t j = 0; j < sk_alen(items); j++)
                downward_file(v, items->u.a.items[j]);
        } else if (!strcmp(k, "configMap")) {
            if (!*sk_gets0(src, "name")) sk_vrequired(v, "name", "%s", "");
            vmode(v, src, "defaultMode");
            key_to_paths(v, sk_geta(src, "items"));
        } else if (!strcmp(k, "projected")) {
            projected(v, src);
        } else if (!strcmp(k, "csi")) {
            csi_driver_name(v, "driver", sk_gets0(src, "driver"));
            const struct sk_val *ref = sk_getm(src, "nodePublishSecretRef");
            if (ref) {
                const char *n = sk_gets0(ref, "name");
                if (!*n)
                    sk_vrequired(v, "nodePublishSecretRef.name", "%s", "");
                else
                    sk_vmsgs(v, "name", n, sk_dns1123_subdomain_msgs);
            }
        } else if (!strcmp(k, "ephemeral")) {
            const struct sk_val *tmpl = sk_getm(src, "volumeClaimTemplate");
            if (!tmpl) {
                sk_vrequired(v, "volumeClaimTemplate", "%s", "");
            } else {
                size_t m = sk_vpush(v, "volumeClaimTemplate");
                sk_validate_template_meta(v, sk_getm(tmpl, "metadata"));
                size_t m2 = sk_vpush(v, "spec");
                sk_validate_pvc_spec(v, sk_getm(tmpl, "spec"));
                sk_vpop(v, m2);
                sk_vpop(v, m);
            }
            if (podname && *podname && *volname) {
                char *pvc = sk_xasprintf("%s-%s", podname, volname);
                const char *msgs[SK_MAXMSGS];
                size_t n = sk_dns1123_subdomain_msgs(pvc, msgs);
                for (size_t j = 0; j < n; j++)
                    sk_vinvalid_str(v, "name", volname, "PVC name \"%s\": %s", pvc, msgs[j]);
                free(pvc);
            }
        } else if (!strcmp(k, "image")) {
            if (is_pod && !*sk_gets0(src, "reference")) sk_vrequired(v, "reference", "%s", "");
            const char *pp = sk_gets0(src, "pullPolicy");
            static const char *const pulls[] = {"Always", "IfNotPresent", "Never", NULL};
            if (*pp && !sk_str_in(pp, pulls)) sk_vnotsupported_str(v, "pullPolicy", pp, pulls);
        }
        sk_vpop(v, mark);
    }
    if (num == 0) sk_vrequired(v, NULL, "must specify a volume type");
}

void sk_validate_volumes(struct sk_vctx *v, const struct sk_val *vols, const char *podname,
                         bool is_pod, struct sk_volset *out)
{
    out->v = sk_xcalloc(sk_alen(vols) + 1, sizeof(*out->v));
    out->n = 0;
    for (size_t i = 0; i < sk_alen(vols); i++) {
        const struct sk_val *vol = vols->u.a.items[i];
        const char *name = sk_gets0(vol, "name");
        size_t before = v->c->n;
        size_t mark = sk_vpush(v, "volumes");
        sk_vpushi(v, i);
        volume_source(v, vol, name, podname, is_pod);
        if (!*name)
            sk_vrequired(v, "name", "%s", "");
        else
            sk_vmsgs(v, "name", name, sk_dns1123_label_msgs);
        if (sk_volset_find(out, name)) sk_vduplicate_str(v, "name", name);
        sk_vpop(v, mark);
        if (v->c->n == before) {
            out->v[out->n++] = (struct sk_volinfo){
                    .name = name,
                    .pvc = sk_has(vol, "persistentVolumeClaim") || sk_has(vol, "ephemeral"),
                    .image = sk_has(vol, "image"),
            };
        }
    }
}

/* ---- persistent volume claims and volumes ---- */

static const char *const access_modes[] = {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce",
                                           "ReadWriteOncePod", NULL};
static const char *const volume_modes[] = {"Block", "Filesystem", NULL};

static void access_mode_list(struct sk_vctx *v, const struct sk_val *modes)
{
    bool rwop = false, other = false;
    for (size_t i = 0; i < sk_alen(modes); i++) {
        const char *m = sk_val_cstr(modes->u.a.items[i]);
        if (!m || !sk_str_in(m, access_modes)) {
            sk_vnotsupported_str(v, "accessModes", m, access_modes);
            continue;
        }
        if (!strcmp(m, "ReadWriteOncePod"))
            rwop = true;
        else
            other = true;
    }
    if (rwop && other)
        sk_vforbidden(v, "accessModes", "may not use ReadWriteOncePod with other access modes");
}

static void data_source(struct sk_vctx *v, const char *child, const struct sk_val *ds, bool ref)
{
    size_t mark = sk_vpush(v, child);
    const char *kind = sk_gets0(ds, "kind"), *group = sk_gets0(ds, "apiGroup");
    if (!*sk_gets0(ds, "name")) sk_vrequired(v, "name", "%s", "");
    if (!*kind) sk_vrequired(v, "kind", "%s", "");
    if (!*group && strcmp(kind, "PersistentVolumeClaim"))
        sk_vinvalid_str(v, NULL, kind,
                        "must be 'PersistentVolumeClaim' when referencing the default apiGroup");
    if (*group) sk_vmsgs(v, "apiGroup", group, sk_dns1123_subdomain_msgs);
    const char *ns = sk_gets0(ds, "namespace");
    if (ref && *ns) sk_vmsgs(v, "namespace", ns, sk_dns1123_label_msgs);
    sk_vpop(v, mark);
}

void sk_validate_resource_quantity(struct sk_vctx *v, const char *name, const struct sk_val *qv)
{
    struct sk_quantity q;
    if (sk_quantity_from_val(qv, &q, NULL, NULL) != SK_OK) return;
    char buf[SK_QUANTITY_STRMAX];
    sk_quantity_format(&q, buf);
    if (sk_quantity_sign(&q) < 0)
        sk_vinvalid_str(v, NULL, buf, "must be greater than or equal to 0");
    /* Extended resources ("example.com/gpu") come in whole units. */
    bool extended = name && strchr(name, '/') && !strstr(name, "kubernetes.io/") &&
                    strncmp(name, "requests.", 9);
    if (extended && sk_quantity_milli_value(&q) % 1000 != 0)
        sk_vinvalid_str(v, NULL, buf, "must be an integer");
}

void sk_validate_pvc_spec(struct sk_vctx *v, const struct sk_val *spec)
{
    const struct sk_val *modes = sk_geta(spec, "accessModes");
    if (sk_alen(modes) == 0) sk_vrequired(v, "accessModes", "at least 1 access mode is required");
    if (sk_get(spec, "selector")) sk_vlabelsel(v, "selector", sk_get(spec, "selector"));
    access_mode_list(v, modes);
    const struct sk_val *st = sk_get(sk_getm(sk_getm(spec, "resources"), "requests"), "storage");
    size_t mark = sk_vpush(v, "resources");
    sk_vpushk(v, "storage");
    struct sk_quantity q;
    if (!st) {
        sk_vrequired(v, NULL, "%s", "");
    } else if (sk_quantity_from_val(st, &q, NULL, NULL) == SK_OK) {
        char buf[SK_QUANTITY_STRMAX];
        sk_quantity_format(&q, buf);
        if (sk_quantity_sign(&q) <= 0)
            sk_vinvalid_str(v, NULL, buf, "must be greater than zero");
        else
            sk_validate_resource_quantity(v, "storage", st);
    }
    sk_vpop(v, mark);
    const char *sc = sk_gets(spec, "storageClassName");
    if (sc && *sc) sk_vmsgs(v, "storageClassName", sc, sk_dns1123_subdomain_msgs);
    const char *vm = sk_gets(spec, "volumeMode");
    if (vm && !sk_str_in(vm, volume_modes)) sk_vnotsupported_str(v, "volumeMode", vm, volume_modes);
    const struct sk_val *ds = sk_getm(spec, "dataSource"), *dsr = sk_getm(spec, "dataSourceRef");
    if (ds) data_source(v, "dataSource", ds, false);
    if (dsr) data_source(v, "dataSourceRef", dsr, true);
    size_t vl = v->len;
    sk_vpush(v, "dataSource");
    _sk_cleanup_free_ char *dspath = sk_gofmt_str(v->path);
    sk_vpop(v, vl);
    if (dsr && *sk_gets0(dsr, "namespace")) {
        if (ds)
            sk_vinvalid(v, NULL, dspath,
                        "may not be specified when dataSourceRef.namespace is specified");
    } else if (ds && dsr) {
        if (strcmp(sk_gets0(ds, "apiGroup"), sk_gets0(dsr, "apiGroup")) ||
            strcmp(sk_gets0(ds, "kind"), sk_gets0(dsr, "kind")) ||
            strcmp(sk_gets0(ds, "name"), sk_gets0(dsr, "name")))
            sk_vinvalid(v, NULL, dspath, "must match dataSourceRef");
    }
    const char *vac = sk_gets(spec, "volumeAttributesClassName");
    if (vac && *vac) sk_vmsgs(v, "volumeAttributesClassName", vac, sk_dns1123_subdomain_msgs);
}

static const char *const reclaim_policies[] = {"Delete", "Recycle", "Retain", NULL};

void sk_validate_pv_spec(struct sk_vctx *v, const struct sk_val *spec)
{
    const struct sk_val *modes = sk_geta(spec, "accessModes");
    if (sk_alen(modes) == 0) sk_vrequired(v, "accessModes", "%s", "");
    access_mode_list(v, modes);
    const struct sk_val *cap = sk_getm(spec, "capacity");
    if (sk_mlen(cap) == 0) sk_vrequired(v, "capacity", "%s", "");
    if (!sk_get(cap, "storage") || sk_mlen(cap) > 1) {
        static const char *const storage[] = {"storage", NULL};
        struct sk_buf b = {0};
        sk_buf_puts(&b, "core.ResourceList{");
        for (size_t i = 0; i < sk_mlen(cap); i++) {
            const struct sk_kv *kv = &cap->u.m.kv[i];
            char *stored = NULL;
            struct sk_quantity q;
            sk_quantity_from_val(kv->val, &q, &stored, NULL);
            sk_buf_printf(&b, "%s\"%s\":\"%s\"", i ? ", " : "", kv->key, stored ? stored : "");
            free(stored);
        }
        sk_buf_putc(&b, '}');
        _sk_cleanup_free_ char *val = sk_buf_take(&b, NULL);
        sk_vnotsupported(v, "capacity", val, storage);
    }
    for (size_t i = 0; i < sk_mlen(cap); i++) {
        size_t mark = sk_vpush(v, "capacity");
        sk_vpushk(v, cap->u.m.kv[i].key);
        struct sk_quantity q;
        if (sk_quantity_from_val(cap->u.m.kv[i].val, &q, NULL, NULL) == SK_OK) {
            if (sk_quantity_value(&q) < 0)
                sk_vinvalid_int(v, NULL, sk_quantity_value(&q),
                                "must be a valid resource quantity");
            char buf[SK_QUANTITY_STRMAX];
            sk_quantity_format(&q, buf);
            if (sk_quantity_sign(&q) <= 0)
                sk_vinvalid_str(v, NULL, buf, "must be greater than zero");
        }
        sk_vpop(v, mark);
    }
    const char *rp = sk_gets0(spec, "persistentVolumeReclaimPolicy");
    if (*rp && !sk_str_in(rp, reclaim_policies))
        sk_vnotsupported_str(v, "persistentVolumeReclaimPolicy", rp, reclaim_policies);
    const struct sk_val *na = sk_getm(spec, "nodeAffinity");
    if (na) {
        size_t mark = sk_vpush(v, "nodeAffinity");
        const struct sk_val *req = sk_getm(na, "required");
        if (req) {
            size_t m2 = sk_vpush(v, "required");
            sk_validate_node_selector(v, req);
            sk_vpop(v, m2);
        } else {
            sk_vrequired(v, "required", "must specify required node constraints");
        }
        sk_vpop(v, mark);
    }
    /* One volume source; the rarely used ones are only counted. */
    static const char *const pv_sources[] = {"hostPath",
                                             "gcePersistentDisk",
                                             "awsElasticBlockStore",
                                             "glusterfs",
                                             "flocker",
                                             "nfs",
                                             "rbd",
                                             "quobyte",
                                             "cephfs",
                                             "iscsi",
                                             "cinder",
                                             "fc",
                                             "flexVolume",
                                             "azureFile",
                                             "vsphereVolume",
                                             "photonPersistentDisk",
                                             "portworxVolume",
                                             "azureDisk",
                                             "scaleIO",
                                             "local",
                                             "storageos",
                                             "csi",
                                             NULL};
    int num = 0;
    for (size_t i = 0; pv_sources[i]; i++) {
        const char *k = pv_sources[i];
        const struct sk_val *src = sk_get(spec, k);
        if (!src) continue;
        if (num > 0 && strcmp(k, "flexVolume")) {
            sk_vforbidden(v, strcmp(k, "cephfs") ? k : "cephFS",
                          "may not specify more than 1 volume type");
            continue;
        }
        num++;
        size_t mark = sk_vpush(v, k);
        if (!strcmp(k, "hostPath"))
            host_path(v, src);
        else if (!strcmp(k, "nfs"))
            nfs(v, src);
        else if (!strcmp(k, "local")) {
            const char *p = sk_gets0(src, "path");
            if (!*p)
                sk_vrequired(v, "path", "%s", "");
            else
                sk_vno_backsteps(v, "path", p);
        } else if (!strcmp(k, "csi")) {
            csi_driver_name(v, "driver", sk_gets0(src, "driver"));
            if (!*sk_gets0(src, "volumeHandle")) sk_vrequired(v, "volumeHandle", "%s", "");
            static const char *const refs[] = {"controllerPublishSecretRef",
                                               "controllerExpandSecretRef", "nodePublishSecretRef",
                                               "nodeExpandSecretRef", NULL};
            for (size_t j = 0; refs[j]; j++) {
                const struct sk_val *ref = sk_getm(src, refs[j]);
                if (!ref) continue;
                size_t m2 = sk_vpush(v, refs[j]);
                const char *n = sk_gets0(ref, "name"), *ns = sk_gets0(ref, "namespace");
                if (!*n)
                    sk_vrequired(v, "name", "%s", "");
                else
                    sk_vmsgs(v, "name", n, sk_dns1123_subdomain_msgs);
                if (!*ns)
                    sk_vrequired(v, "namespace", "%s", "");
                else
                    sk_vmsgs(v, "namespace", ns, sk_dns1123_label_msgs);
                sk_vpop(v, m2);
            }
        }
        sk_vpop(v, mark);
        if (!strcmp(k, "local") && !na)
            sk_vrequired(v, "nodeAffinity", "Local volume requires node affinity");
    }
    if (num == 0) sk_vrequired(v, NULL, "must specify a volume type");
    const struct sk_val *hp = sk_getm(spec, "hostPath");
    const char *hpp = sk_gets0(hp, "path");
    if (hp && !strcmp(rp, "Recycle") && hpp[0] == '/' && !hpp[strspn(hpp, "/")])
        sk_vforbidden(v, "persistentVolumeReclaimPolicy",
                      "may not be 'recycle' for a hostPath mount of '/'");
    const char *sc = sk_gets0(spec, "storageClassName");
    if (*sc) sk_vmsgs(v, "storageClassName", sc, sk_dns1123_subdomain_msgs);
    const char *vm = sk_gets(spec, "volumeMode");
    if (vm && !sk_str_in(vm, volume_modes)) sk_vnotsupported_str(v, "volumeMode", vm, volume_modes);
}
