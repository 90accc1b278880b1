{{- define "tollgate.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tollgate.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "tollgate.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "tollgate.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}

{{- define "tollgate.dbSecret" -}}
{{- default (printf "%s-db" (include "tollgate.fullname" .)) .Values.database.existingSecret -}}
{{- end -}}

{{- define "tollgate.tokenSecret" -}}
{{- default (printf "%s-bootstrap" (include "tollgate.fullname" .)) .Values.bootstrapToken.existingSecret -}}
{{- end -}}

{{- define "tollgate.tlsSecret" -}}
{{- default (printf "%s-tls" (include "tollgate.fullname" .)) .Values.tls.existingSecret -}}
{{- end -}}

{{- define "tollgate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "tollgate.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* the fewest replicas the deployment runs: the autoscaler's minimum, or replicaCount */}}
{{- define "tollgate.minReplicas" -}}
{{- if .Values.autoscaling.enabled -}}
{{- .Values.autoscaling.minReplicas -}}
{{- else -}}
{{- .Values.replicaCount -}}
{{- end -}}
{{- end -}}

{{- define "tollgate.bootstrapTokenSet" -}}
{{- if or .Values.bootstrapToken.existingSecret .Values.bootstrapToken.value -}}true{{- end -}}
{{- end -}}

{{/* The Secret holding the log's signing keys, or nothing (each pod then makes its own). */}}
{{- define "tollgate.signingSecret" -}}
{{- if .Values.signing.existingSecret -}}
{{- .Values.signing.existingSecret -}}
{{- else if .Values.signing.create -}}
{{- printf "%s-signing" (include "tollgate.fullname" .) -}}
{{- end -}}
{{- end -}}
