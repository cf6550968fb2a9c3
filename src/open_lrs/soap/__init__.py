"""The LRS SOAP web services (LearnerService.wsdl), served over the same services as the JSON
API: ``routes`` (endpoints), ``dispatch`` (one request, start to finish), ``schema`` (the
WSDL's messages), ``envelope`` and ``faults`` (SOAP 1.1), ``auth`` (credentials), ``wsdl``
(serving the descriptions), and one adapter module per service. See docs/mis-integration.md.
"""
