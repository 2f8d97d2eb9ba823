"""The local cluster (issue 16): one writer, several readers, Debian's nginx in front.

``python -m cluster`` (``make serve-cluster``) starts the whole arrangement on loopback and
stops it cleanly; docs/deployment.md maps it onto a real deployment. This package only starts
processes and writes nginx's configuration: it imports nothing of the application.
"""
